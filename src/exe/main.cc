// microseg: micro-segmentation for Kubernetes and everything beside it.
#include "cli/command.h"

int main(int argc, char** argv) { return microseg::cli::Main(argc, argv); }
