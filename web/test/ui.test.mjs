// End to end: the dependency map in headless Chromium against a real
// controller. Registered in ctest as WebUi.EndToEnd (label "ui").
//
//   1. `microseg controller` on 127.0.0.1:0 with a fresh data dir;
//   2. `microseg apply -f examples/visibility`, then POST /api/v1/flows
//      with the example's flow records (moved to the last minutes, so the
//      store's 24 h retention keeps them);
//   3. `microseg ui` prints the URL (with #token=...), Chromium opens it:
//      the map draws, the verdict, namespace and group-by filters change
//      it, and clicking an edge lists its flows and deciding policy;
//   4. screenshots go to $MICROSEG_ARTIFACT_DIR: ui-map.png (the whole map)
//      and ui-edge.png (an edge's flows in the side panel).
//
// Environment (set by web/CMakeLists.txt): MICROSEG_BIN, MICROSEG_SOURCE_DIR,
// MICROSEG_UI_NODE_MODULES (playwright-core), MICROSEG_ARTIFACT_DIR;
// CHROMIUM (default /usr/bin/chromium). Every wait is bounded; the
// controller and the browser are stopped on every exit path.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`ui.test.mjs: $${name} is not set (run through ctest)`);
  return v;
};
const BIN = env('MICROSEG_BIN');
const SOURCE = env('MICROSEG_SOURCE_DIR');
const ARTIFACTS = env('MICROSEG_ARTIFACT_DIR');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const { chromium } = createRequire(join(env('MICROSEG_UI_NODE_MODULES'), 'noop.js'))('playwright-core');

const STEP_MS = 30_000;   // one wait (a load, a panel): generous for loaded CI and ASan
const TOTAL_MS = 240_000; // the whole test (ctest's TIMEOUT is 300 s)

const scratch = mkdtempSync(join(tmpdir(), 'microseg-ui-test-'));
let controller = null;
let context = null;

function log(...args) {
  console.log('[ui.test]', ...args);
}

async function cleanup() {
  if (context) {
    const closing = context.close().catch(() => {});
    await Promise.race([closing, new Promise((r) => setTimeout(r, 5000))]);
    context = null;
  }
  if (controller && controller.exitCode === null && controller.signalCode === null) {
    const exited = new Promise((r) => controller.once('exit', r));
    controller.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!stopped) controller.kill('SIGKILL');
  }
  rmSync(scratch, { recursive: true, force: true });
}
// Last resort (an uncaught error): never leave the controller running.
process.on('exit', () => {
  if (controller && controller.exitCode === null) controller.kill('SIGKILL');
});

// Starts the controller and resolves with its URL from the startup line.
// Plain HTTP on loopback when the controller serves HTTPS by default: this
// tests the UI, not TLS (the page is scheme-agnostic: same-origin fetches).
function startController(dataDir) {
  const args = ['controller', '--listen', '127.0.0.1:0', '--data-dir', dataDir];
  const help = spawnSync(BIN, ['controller', '--help'], { encoding: 'utf8', timeout: STEP_MS });
  if ((help.stdout || '').includes('--insecure-http')) args.push('--insecure-http');
  controller = spawn(BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  controller.stderr.on('data', (d) => process.stderr.write(`[controller] ${d}`));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`controller did not start: ${out}`)), STEP_MS);
    controller.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (https?:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    controller.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`controller exited (${code}): ${out}`));
    });
  });
}

function cli(args, extraEnv = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: STEP_MS, env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) throw new Error(`microseg ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

// The example's records, shifted so that the newest ends a minute ago.
function recentFlows() {
  const lines = readFileSync(join(SOURCE, 'examples/visibility/flows.jsonl'), 'utf8')
    .split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => JSON.parse(l));
  const newest = Math.max(...lines.map((r) => Date.parse(r.last)));
  const shift = Date.now() - 60_000 - newest;
  const at = (t) => new Date(Date.parse(t) + shift).toISOString().replace(/\.\d+Z$/, 'Z');
  return lines.map((r) => ({ ...r, first: at(r.first), last: at(r.last) }));
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/setup (Debian package chromium)`);
  const dataDir = join(scratch, 'data');
  mkdirSync(dataDir);
  const url = await startController(dataDir);
  log('controller at', url);
  const tokenFile = join(dataDir, 'admin.token');
  const token = readFileSync(tokenFile, 'utf8').trim();

  cli(['apply', '-f', join(SOURCE, 'examples/visibility'), '--server', url, '--token-file', tokenFile]);
  const flows = recentFlows();
  const posted = await fetch(`${url}/api/v1/flows`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(flows),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const postedBody = await posted.text();
  assert.equal(posted.status, 200, postedBody);
  assert.equal(JSON.parse(postedBody).accepted, flows.length);

  // The assets need no token; the data does.
  const page0 = await fetch(`${url}/ui/`, { signal: AbortSignal.timeout(STEP_MS) });
  assert.equal(page0.status, 200);
  assert.match(await page0.text(), /<div id="graph"/);
  const noToken = await fetch(`${url}/api/v1/map`, { signal: AbortSignal.timeout(STEP_MS) });
  assert.equal(noToken.status, 401);

  const uiUrl = cli(['ui', '--server', url, '--token-file', tokenFile]).trim();
  assert.equal(uiUrl, `${url}/ui/#token=${token}`);

  context = await chromium.launchPersistentContext(join(scratch, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1600, height: 900 },
    timeout: STEP_MS,
  });
  context.setDefaultTimeout(STEP_MS);
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });

  let loads = 0;
  const loaded = async () => {
    loads += 1;
    await page.waitForSelector(`body[data-loads="${loads}"]`, { state: 'attached' });
  };
  const graph = () => page.evaluate(() => {
    const cy = window.__microsegGraph;
    return {
      nodes: cy.nodes().map((n) => n.id()).sort(),
      edges: cy.edges().map((e) => ({ id: e.id(), verdict: e.data('verdict') })),
    };
  });
  const edgeIds = (g) => g.edges.map((e) => e.id).sort();

  await page.goto(uiUrl);
  await loaded();
  // The token left the address bar.
  assert.ok(!page.url().includes('token='), page.url());

  // 1. The whole map, grouped by app.
  const all = await graph();
  log(`map: ${all.nodes.length} nodes, ${all.edges.length} edges`);
  assert.ok(all.nodes.includes('shop/app=api'), all.nodes.join(' '));
  assert.ok(all.nodes.includes('workload:app=orders-db'));
  assert.ok(all.nodes.includes('ns:ops'));
  const verdictOf = (g, id) => g.edges.find((e) => e.id === id)?.verdict;
  assert.equal(verdictOf(all, 'ns:ops->shop/app=cart'), 'deny');
  assert.equal(verdictOf(all, 'shop/app=api->workload:app=orders-db'), 'would-deny');
  assert.equal(verdictOf(all, 'shop/app=api->shop/app=cart'), 'allow');
  mkdirSync(ARTIFACTS, { recursive: true });
  const mapShot = join(ARTIFACTS, 'ui-map.png');
  await page.screenshot({ path: mapShot });

  // 2. Verdict filter: only would-deny edges remain.
  await page.click('#verdict button[data-verdict="would-deny"]');
  await loaded();
  const wouldDeny = await graph();
  assert.ok(wouldDeny.edges.length > 0 && wouldDeny.edges.length < all.edges.length);
  for (const e of wouldDeny.edges) assert.equal(e.verdict, 'would-deny', e.id);
  assert.ok(edgeIds(wouldDeny).includes('shop/app=api->workload:app=orders-db'));
  await page.click('#verdict button[data-verdict=""]');
  await loaded();
  assert.deepEqual(edgeIds(await graph()), edgeIds(all));

  // 3. Group by namespace, by another label key, then back to app.
  await page.selectOption('#group', 'namespace');
  await loaded();
  const byNamespace = await graph();
  assert.ok(byNamespace.nodes.includes('ns:shop'), byNamespace.nodes.join(' '));
  assert.ok(!byNamespace.nodes.includes('shop/app=api'));
  // Any label key ("other label…" asks for it).
  page.once('dialog', (dialog) => dialog.accept('k8s-app'));
  await page.selectOption('#group', '__label');
  await loaded();
  const byKey = await graph();
  assert.ok(byKey.nodes.includes('kube-system/k8s-app=kube-dns'), byKey.nodes.join(' '));
  assert.equal(await page.inputValue('#group'), 'k8s-app');
  await page.selectOption('#group', 'app');
  await loaded();

  // 4. Namespace filter: only edges with an end in `ops`.
  await page.selectOption('#namespace', 'ops');
  await loaded();
  const ops = await graph();
  assert.ok(ops.edges.length > 0 && ops.edges.length < all.edges.length);
  const opsGroups = ['ns:ops', 'ops/app=prometheus'];
  for (const e of ops.edges) {
    const [from, to] = e.id.split('->');
    assert.ok(opsGroups.includes(from) || opsGroups.includes(to), e.id);
  }

  // 5. A click on the denied edge (a real mouse click on the canvas).
  const clickEdge = async (id) => {
    const point = await page.evaluate((edgeId) => {
      const cy = window.__microsegGraph;
      const edge = cy.getElementById(edgeId);
      const box = cy.container().getBoundingClientRect();
      const p = edge.renderedMidpoint();
      return { x: box.left + p.x, y: box.top + p.y };
    }, id);
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('#panel tr.flow');
    return page.locator('#panel');
  };
  let panel = await clickEdge('ns:ops->shop/app=cart');
  let text = await panel.innerText();
  assert.match(text, /ops\/debug/);
  assert.match(text, /shop\/cart-1/);
  assert.match(text, /TCP\/6379/);
  assert.match(text, /\bdeny\b/);
  assert.match(text, /ingress/);
  assert.match(text, /isolation/, text);  // shop/cart isolates the pod; no rule admits debug
  assert.match(text, /isolated for ingress by NetworkPolicy shop\/cart/, text);

  // 6. All namespaces again; the allowed edge names its NetworkPolicy and tier.
  await page.selectOption('#namespace', '');
  await loaded();
  panel = await clickEdge('shop/app=api->shop/app=cart');
  text = await panel.innerText();
  assert.match(text, /shop\/api-1/);
  assert.match(text, /NetworkPolicy shop\/cart/, text);
  assert.match(text, /application/);
  const rows = await page.locator('#panel tr.flow').count();
  assert.ok(rows >= 2, `flows listed: ${rows}`);

  const edgeShot = join(ARTIFACTS, 'ui-edge.png');
  await page.screenshot({ path: edgeShot });
  assert.deepEqual(pageErrors, []);
  log('screenshot:', mapShot);
  log('screenshot:', edgeShot);
}

const deadline = setTimeout(async () => {
  console.error('[ui.test] FAIL: took longer than', TOTAL_MS / 1000, 's');
  await cleanup();
  process.exit(1);
}, TOTAL_MS);

try {
  await main();
  log('PASS');
  await cleanup();
  clearTimeout(deadline);
} catch (err) {
  console.error('[ui.test] FAIL:', err && err.stack ? err.stack : err);
  await cleanup();
  clearTimeout(deadline);
  process.exit(1);
}
