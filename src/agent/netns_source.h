// A PolicySource whose loads leave from another network namespace.
//
// An agent enforcing in a node's namespace (`microseg agent --netns`, the
// lab's in-process agents) applies there, but the namespace has no route to
// a controller on the host's loopback: the span request (and the host's
// registration that precedes it) must be made from the namespace the agent
// was started in. This decorator steps the loading thread into `netns_fd`
// for the load and back, leaving the rest of the source as it is (the watch
// and status threads are started outside the node's namespace already).
#pragma once

#include "agent/agent.h"

namespace microseg {

// `netns_fd`: an open /proc/.../ns/net, owned by the caller and open for
// as long as the returned source is used.
PolicySource LoadingFromNetns(PolicySource inner, int netns_fd);

}  // namespace microseg
