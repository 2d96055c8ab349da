// The map as a cytoscape graph: nodes are groups, edges the traffic
// between them, colored by their worst verdict and labeled with ports and
// flow counts. Laid out left to right by dagre.
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';

cytoscape.use(dagre);

export const COLORS = { allow: '#2e9d5b', deny: '#d6403a', 'would-deny': '#e08a1e' };

// An edge's color: any deny wins, then would-deny.
export function worstVerdict(verdicts) {
  if (verdicts.deny) return 'deny';
  if (verdicts['would-deny']) return 'would-deny';
  return 'allow';
}

function portsLabel(ports) {
  return ports.length <= 3 ? ports.join(', ') : `${ports.slice(0, 3).join(', ')} +${ports.length - 3}`;
}

const KIND_SHAPE = {
  app: 'round-rectangle', namespace: 'round-rectangle', pod: 'round-rectangle',
  workload: 'cut-rectangle', node: 'rectangle', external: 'ellipse', other: 'diamond',
};

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const nodeLabel = (n) => `${n.label}\n${n.kind} · ${plural(n.members, 'endpoint')}`;

// Node boxes sized to their label (cytoscape's width: 'label' is deprecated).
const measure = document.createElement('canvas').getContext('2d');
function textBox(text, px) {
  measure.font = `${px}px Inter, system-ui, sans-serif`;
  const lines = text.split('\n');
  const width = Math.max(...lines.map((l) => measure.measureText(l).width));
  return { w: Math.ceil(width) + 24, h: lines.length * px * 1.25 + 18 };
}

const box = (label) => { const b = textBox(label, 11); return { w: b.w, h: b.h }; };

function elements(map) {
  const nodes = map.nodes.map((n) => ({
    group: 'nodes',
    data: {
      id: n.id, label: nodeLabel(n), kind: n.kind,
      shape: KIND_SHAPE[n.kind] || 'round-rectangle', raw: n, ...box(nodeLabel(n)),
      // Hosts and VMs, alone or grouped by label (as in `map -o dot`).
      host: n.id.startsWith('workload') || n.id.startsWith('node') ? 'yes' : 'no',
    },
  }));
  const edges = map.edges.map((e) => ({
    group: 'edges',
    data: {
      id: e.id, source: e.from, target: e.to, verdict: worstVerdict(e.verdicts),
      label: `${portsLabel(e.ports)} · ${e.flows}`,
      width: 1.5 + Math.min(5, Math.log2(1 + e.flows)), raw: e,
    },
  }));
  return [...nodes, ...edges];
}

const STYLE = [
  { selector: 'node', style: {
    shape: 'data(shape)', label: 'data(label)', 'text-wrap': 'wrap',
    'text-valign': 'center', 'text-halign': 'center', 'font-size': 11,
    'font-family': 'Inter, system-ui, sans-serif', color: '#1f2a37',
    'background-color': '#eef3fb', 'border-width': 1.5, 'border-color': '#7d93b2',
    width: 'data(w)', height: 'data(h)',
  } },
  { selector: 'node[kind = "external"]', style: { 'background-color': '#f4f4f5', 'border-style': 'dashed' } },
  { selector: 'node[host = "yes"]', style: { 'background-color': '#f1ecfa', 'border-color': '#8a74b8' } },
  { selector: 'node[kind = "namespace"]', style: { 'background-color': '#eaf5f1', 'border-color': '#6fa58f' } },
  { selector: 'edge', style: {
    width: 'data(width)', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle',
    'arrow-scale': 1.1, label: 'data(label)', 'font-size': 10, 'text-rotation': 'autorotate',
    'text-background-color': '#ffffff', 'text-background-opacity': 0.85,
    'text-background-padding': '2px', color: '#374151',
  } },
  ...Object.entries(COLORS).map(([verdict, color]) => ({
    selector: `edge[verdict = "${verdict}"]`,
    style: { 'line-color': color, 'target-arrow-color': color, color },
  })),
  { selector: 'edge[verdict = "would-deny"]', style: { 'line-style': 'dashed' } },
  { selector: 'edge:selected', style: { 'overlay-color': '#2563eb', 'overlay-opacity': 0.18, 'overlay-padding': 6 } },
  { selector: 'node:selected', style: { 'border-color': '#2563eb', 'border-width': 3 } },
  { selector: '.faded', style: { opacity: 0.25 } },
];

export function createGraph(container, { onEdge, onNode, onBackground }) {
  const cy = cytoscape({
    container, style: STYLE, minZoom: 0.2, maxZoom: 3,
    boxSelectionEnabled: false,
  });
  cy.on('tap', 'edge', (ev) => onEdge(ev.target.data('raw')));
  cy.on('tap', 'node', (ev) => onNode(ev.target.data('raw')));
  cy.on('tap', (ev) => { if (ev.target === cy) onBackground(); });
  // For tests and debugging: the graph in the page.
  window.__microsegGraph = cy;
  return {
    show(map) {
      cy.elements().remove();
      cy.add(elements(map));
      cy.layout({ name: 'dagre', rankDir: 'LR', nodeSep: 40, rankSep: 140, edgeSep: 20, padding: 30 }).run();
      cy.fit(undefined, 40);
    },
    // Highlights one edge and its ends, fades the rest; null clears.
    focusEdge(id) {
      cy.elements().removeClass('faded').unselect();
      if (!id) return;
      const edge = cy.getElementById(id);
      if (edge.empty()) return;
      cy.elements().not(edge.union(edge.connectedNodes())).addClass('faded');
      edge.select();
    },
    // After the container changed size: fit the selection's neighborhood
    // (readable beside the panel), or the whole graph.
    resize() {
      cy.resize();
      const selected = cy.$(':selected');
      const ends = selected.isEdge() ? selected.connectedNodes() : selected;
      cy.fit(selected.empty() ? undefined : ends.closedNeighborhood(), 40);
      if (cy.zoom() > 1.3) cy.zoom({ level: 1.3, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    },
    focusNode(id) {
      cy.elements().removeClass('faded').unselect();
      const node = cy.getElementById(id);
      if (node.empty()) return;
      cy.elements().not(node.closedNeighborhood()).addClass('faded');
      node.select();
    },
  };
}
