// The dependency map page: filters -> GET /api/v1/map -> graph; a click on
// an edge -> GET /api/v1/map/flows -> side panel.
import { AuthError, clearToken, fetchEdgeFlows, fetchMap, setToken, takeTokenFromFragment, token } from './api.js';
import { h } from './dom.js';
import { createGraph } from './graph.js';
import { closePanel, onPanelResize, showEdge, showEdgeLoading, showError, showNode } from './panel.js';

const $ = (id) => document.getElementById(id);
let map = { nodes: [], edges: [] };
let loads = 0;  // completed loads, for tests (body[data-loads])
// The newest requests: an older reply arriving late is dropped. A new map
// also drops a pending edge.
let latestMap = 0;
let latestEdge = 0;

function filters() {
  return {
    group: $('group').value,
    namespace: $('namespace').value,
    label: $('label').value.trim(),
    verdict: $('verdict').querySelector('button.on').dataset.verdict,
    since: $('since').value,
  };
}

const nodeLabel = (id) => {
  const node = map.nodes.find((n) => n.id === id);
  return h('span', { class: 'node-name', title: id }, node ? node.label : id);
};

function setStatus(text, state) {
  const status = $('status');
  status.textContent = text;
  status.dataset.state = state;
}

// Keeps the current choice when the options are rebuilt.
function fillSelect(select, values, allLabel) {
  const current = select.value;
  select.replaceChildren(h('option', { value: '' }, allLabel),
    ...values.map((v) => h('option', { value: v }, v)));
  select.value = values.includes(current) ? current : '';
}

async function load() {
  setStatus('Loading…', 'loading');
  const mine = ++latestMap;
  latestEdge += 1;
  let reply;
  try {
    reply = await fetchMap(filters());
  } catch (err) {
    return mine === latestMap && failed(err);
  }
  if (mine !== latestMap) return;
  map = reply;
  fillSelect($('namespace'), map.facets.namespaces, 'all');
  $('label-facets').replaceChildren(...map.facets.labels.map((l) => h('option', { value: l })));
  graph.show(map);
  closePanel();
  const flows = map.edges.reduce((n, e) => n + e.flows, 0);
  $('empty').hidden = map.nodes.length > 0;
  setStatus(`${map.nodes.length} groups · ${map.edges.length} edges · ${flows.toLocaleString('en-US')} flows from ${map.records} records`, 'ready');
  document.body.dataset.loads = String(++loads);
}

async function openEdge(edge) {
  graph.focusEdge(edge.id);
  showEdgeLoading(edge, nodeLabel);
  const mine = ++latestEdge;
  try {
    const reply = await fetchEdgeFlows(filters(), edge.from, edge.to);
    if (mine === latestEdge) showEdge(edge, reply.items, nodeLabel);
  } catch (err) {
    if (mine === latestEdge) failed(err);
  }
}

function failed(err) {
  if (err instanceof AuthError) {
    clearToken();
    return askToken(err.message);
  }
  setStatus(`Error: ${err.message}`, 'error');
  showError(err.message);
}

function askToken(error) {
  const dialog = $('login');
  $('login-error').hidden = !error;
  $('login-error').textContent = error || '';
  if (!dialog.open) dialog.showModal();
}

const graph = createGraph($('graph'), {
  onEdge: openEdge,
  onNode: (node) => { graph.focusNode(node.id); showNode(node); },
  onBackground: () => { graph.focusEdge(null); closePanel(); },
});

onPanelResize(() => graph.resize());

$('filters').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
for (const id of ['namespace', 'since']) $(id).addEventListener('change', load);
// Group by any label key: "other label…" asks for it and keeps it as an option.
$('group').addEventListener('change', () => {
  const group = $('group');
  if (group.value === '__label') {
    const key = (prompt('Group by which label key?', 'app.kubernetes.io/name') || '').trim();
    if (!key) {
      group.value = 'app';
    } else {
      if (![...group.options].some((o) => o.value === key)) {
        group.insertBefore(h('option', { value: key }, `label ${key}`), group.lastElementChild);
      }
      group.value = key;
    }
  }
  load();
});
$('label').addEventListener('change', load);
$('verdict').addEventListener('click', (ev) => {
  const button = ev.target.closest('button');
  if (!button) return;
  for (const b of $('verdict').querySelectorAll('button')) b.classList.toggle('on', b === button);
  load();
});
$('panel-close').addEventListener('click', () => { graph.focusEdge(null); closePanel(); });
$('login-form').addEventListener('submit', () => {
  setToken($('token').value.trim());
  $('token').value = '';
  load();
});

takeTokenFromFragment();
if (token()) load(); else askToken();
