// Bundles web/src into OUT: index.html, app.js (esbuild, minified, one
// file), app.css and favicon.svg. Run by CMake (web/CMakeLists.txt):
//   node build.mjs --node-modules BUILD/web/node_modules --out BUILD/web/dist
// node_modules lives in the build tree, so esbuild is loaded from there and
// bare imports ("cytoscape") resolve through nodePaths.
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  if (i < 0 || i + 1 >= args.length) throw new Error(`build.mjs: ${name} is required`);
  return args[i + 1];
};
const nodeModules = arg('--node-modules');
const out = arg('--out');
const src = join(dirname(fileURLToPath(import.meta.url)), 'src');

const esbuild = createRequire(join(nodeModules, 'noop.js'))('esbuild');
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(src, 'main.js')],
  outfile: join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  nodePaths: [nodeModules],
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css', 'favicon.svg']) copyFileSync(join(src, file), join(out, file));
