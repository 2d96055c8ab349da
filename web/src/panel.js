// The side panel: an edge's flows with the policy that decided each, or a
// node's summary.
import { badge, fmt, h } from './dom.js';

const panel = () => document.getElementById('panel');

// Called after the panel shows or hides (the graph area changes size).
let onResize = () => {};
export function onPanelResize(callback) {
  onResize = callback;
}

export function closePanel() {
  if (panel().hidden) return;
  panel().hidden = true;
  onResize();
}

function open(title, ...body) {
  document.getElementById('panel-title').replaceChildren(...title);
  document.getElementById('panel-body').replaceChildren(...body);
  if (!panel().hidden) return;
  panel().hidden = false;
  onResize();
}

function verdictSummary(verdicts) {
  return h('div', { class: 'chips' },
    Object.entries(verdicts).filter(([, n]) => n > 0)
      .map(([v, n]) => h('span', { class: 'chip' }, badge(v), ` ${fmt(n)} flows`)));
}

// What decided one direction, as the flows table shows it.
function decidedBy(d) {
  if (d.policy) return `${d.policy}${d.rule ? ` ${d.rule}` : ''}`;
  if (d.allowed) return d.tier === 'unenforced' ? 'not enforced' : 'no policy';
  return d.tier === 'application' ? 'isolation: no rule admits it' : 'default deny';
}

// One direction: "ingress [application] NetworkPolicy shop/cart ingress[0]";
// the engine's reason sentence is the tooltip.
function direction(d) {
  const policy = decidedBy(d);
  return h('div', { class: `decision ${d.allowed ? 'allowed' : 'denied'}`, title: d.reason },
    h('span', { class: 'dir' }, d.direction),
    h('span', { class: `tier tier-${d.tier}` }, d.tier),
    h('span', { class: 'policy' }, policy),
    d.mode === 'visibility' ? h('span', { class: 'mode' }, 'visibility') : null);
}

// A denial without a rule (isolation, default deny): the engine's sentence
// names what isolates the endpoint.
function denialReason(d) {
  return !d.allowed && !d.policy && d.reason ? h('div', { class: 'reason' }, d.reason) : null;
}

function decidingPolicy(flow) {
  if (flow.decision) {
    const { egress, ingress } = flow.decision;
    return [direction(egress), denialReason(egress), direction(ingress), denialReason(ingress)];
  }
  if (flow.policies && flow.policies.length) return flow.policies.map((p) => h('div', { class: 'decision' }, h('span', { class: 'policy' }, p)));
  return [h('span', { class: 'muted' }, '—')];
}

function flowsTable(items) {
  return h('table', { class: 'flows' },
    h('thead', {}, h('tr', {}, ['Source → destination', 'Port', 'Flows', 'Verdict', 'Deciding policy'].map((c) => h('th', {}, c)))),
    h('tbody', {}, items.map((f) => h('tr', { class: 'flow' },
      h('td', { class: 'ep' }, h('div', {}, f.src.name), h('div', { class: 'to' }, `→ ${f.dst.name}`)),
      h('td', { class: 'mono' }, `${f.protocol}/${f.port || '*'}`),
      h('td', { class: 'num' }, fmt(f.flows)),
      h('td', {}, badge(f.verdict)),
      h('td', { class: 'deciding' }, decidingPolicy(f))))));
}

export function showEdgeLoading(edge, nodeLabel) {
  open([nodeLabel(edge.from), h('span', { class: 'arrow' }, ' → '), nodeLabel(edge.to)],
    h('p', { class: 'muted' }, 'Loading flows…'));
}

export function showEdge(edge, items, nodeLabel) {
  open([nodeLabel(edge.from), h('span', { class: 'arrow' }, ' → '), nodeLabel(edge.to)],
    h('dl', { class: 'facts' },
      h('dt', {}, 'Ports'), h('dd', { class: 'mono' }, edge.ports.join(', ')),
      h('dt', {}, 'Flows'), h('dd', {}, `${fmt(edge.flows)} (${fmt(edge.packets)} packets, ${fmt(edge.bytes)} bytes)`),
      h('dt', {}, 'Policies'), h('dd', {}, edge.policies.length ? edge.policies.join('; ') : '—')),
    verdictSummary(edge.verdicts),
    h('h3', {}, `Flows (${items.length})`),
    items.length ? flowsTable(items) : h('p', { class: 'muted' }, 'No flows.'));
}

export function showNode(node) {
  open([node.label],
    h('dl', { class: 'facts' },
      h('dt', {}, 'Group'), h('dd', { class: 'mono' }, node.id),
      h('dt', {}, 'Kind'), h('dd', {}, node.kind),
      h('dt', {}, 'Endpoints'), h('dd', {}, fmt(node.members))),
    h('p', { class: 'muted' }, 'Click an edge to see its flows.'));
}

export function showError(message) {
  open(['Error'], h('p', { class: 'error' }, message));
}
