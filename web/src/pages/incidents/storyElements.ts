// Cytoscape elements and style of the story graph: alerts coloured by severity with their
// domain under the title, entities with type icons, edges named by their relation. Positions
// are seeded deterministically (alerts left to right in time order, each entity near its
// alerts) so the force layout, run without randomness, draws the same story every time.
import type { ElementDefinition, StylesheetJson } from 'cytoscape';
import type { Story } from '../../api/types';
import { iconDataUri } from './storyIcons';
import { alertIdOf, shortLabel, timelineOf, truncate, typeLabel } from './storyModel';

export interface GraphColors {
  text: string;
  muted: string;
  panel: string;
  border: string;
  accent: string;
  focus: string;
  high: string;
  medium: string;
  low: string;
  info: string;
}

export const LIGHT_COLORS: GraphColors = {
  text: '#1b1f24',
  muted: '#5b6470',
  panel: '#ffffff',
  border: '#aab2bd',
  accent: '#1f5fa8',
  focus: '#f0a400',
  high: '#b42318',
  medium: '#b54708',
  low: '#1f5fa8',
  info: '#5b6470',
};

// Reads the console's CSS variables (light or dark scheme) at the graph's container.
export function colorsFrom(element: Element): GraphColors {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--text', LIGHT_COLORS.text),
    muted: read('--muted', LIGHT_COLORS.muted),
    panel: read('--panel', LIGHT_COLORS.panel),
    border: read('--graph-edge', LIGHT_COLORS.border),
    accent: read('--accent', LIGHT_COLORS.accent),
    focus: read('--focus', LIGHT_COLORS.focus),
    high: read('--sev-high', LIGHT_COLORS.high),
    medium: read('--sev-medium', LIGHT_COLORS.medium),
    low: read('--sev-low', LIGHT_COLORS.low),
    info: read('--sev-info', LIGHT_COLORS.info),
  };
}

export function severityColor(severity: string | undefined, colors: GraphColors): string {
  switch ((severity ?? '').toLowerCase()) {
    case 'high':
      return colors.high;
    case 'medium':
      return colors.medium;
    case 'low':
      return colors.low;
    default:
      return colors.info;
  }
}

const ALERT_GAP = 50;
// Entity types whose labels only show when zoomed in (or selected).
export const MINOR_TYPES = new Set(['Process', 'File', 'RegistryKey', 'RegistryValue', 'MailMessage']);
// Zoom level from which those labels and the edges' relations show.
export const DETAIL_ZOOM = 1.35;

export function storyElements(story: Story, sources: Record<string, string>, colors: GraphColors): ElementDefinition[] {
  const nodeIds = new Set(story.nodes.map((n) => n.id));
  // Alerts in time order (the timeline), the ones it does not list after.
  const order = new Map<string, number>();
  timelineOf(story).forEach((entry, i) => order.set(`alert:${entry.alertId}`, i));
  const alerts = story.nodes
    .filter((n) => n.type === 'Alert')
    .sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9) || a.id.localeCompare(b.id));
  const alertX = new Map<string, number>();
  alerts.forEach((n, i) => alertX.set(n.id, i * ALERT_GAP));

  const linked = new Map<string, string[]>();
  for (const e of story.edges) {
    for (const [a, b] of [
      [e.from, e.to],
      [e.to, e.from],
    ]) {
      if (!linked.has(a)) linked.set(a, []);
      linked.get(a)!.push(b);
    }
  }

  const elements: ElementDefinition[] = [];
  alerts.forEach((node, i) => {
    const alertId = alertIdOf(node.id) ?? node.id;
    const domain = sources[alertId] ?? '';
    const color = severityColor(node.severity, colors);
    elements.push({
      group: 'nodes',
      data: {
        id: node.id,
        type: 'Alert',
        full: `${node.label}${domain ? `\n${domain}` : ''}`,
        short: `${truncate(String(node.label), 24)}${domain ? `\n${domain}` : ''}`,
        color,
        icon: iconDataUri('Alert', '#ffffff'),
        domain,
      },
      position: { x: alertX.get(node.id)!, y: i % 2 === 0 ? 0 : 20 },
    });
  });

  let entityIndex = 0;
  for (const node of story.nodes) {
    if (node.type === 'Alert') continue;
    const neighbours = (linked.get(node.id) ?? []).filter((id) => alertX.has(id));
    const x = neighbours.length
      ? neighbours.reduce((sum, id) => sum + alertX.get(id)!, 0) / neighbours.length
      : (entityIndex % 10) * ALERT_GAP;
    const side = entityIndex % 2 === 0 ? -1 : 1;
    const y = side * (60 + (Math.floor(entityIndex / 2) % 4) * 20);
    elements.push({
      group: 'nodes',
      data: {
        id: node.id,
        type: node.type,
        full: `${node.label}\n${typeLabel(node.type)}`,
        short: shortLabel(node),
        color: colors.muted,
        icon: iconDataUri(node.type, colors.text),
      },
      classes: MINOR_TYPES.has(node.type) ? 'minor' : undefined,
      // entityIndex keeps every seed distinct (no two nodes start on one point)
      position: { x: x + (entityIndex % 7) * 4, y: y + entityIndex * 0.5 },
    });
    entityIndex += 1;
  }

  // Hidden links between alerts that follow each other in time: they keep the parts of a story
  // that share no entity (say, a mailbox and the same person's account on a device) together
  // and in time order, instead of scattered across the canvas.
  for (let i = 1; i < alerts.length; i += 1) {
    elements.push({
      group: 'edges',
      data: { id: `chain${i}`, source: alerts[i - 1].id, target: alerts[i].id, relation: '' },
      classes: 'chain',
    });
  }

  story.edges.forEach((edge, i) => {
    if (!nodeIds.has(edge.from) || !nodeIds.has(edge.to)) return;
    elements.push({
      group: 'edges',
      data: { id: `e${i}`, source: edge.from, target: edge.to, relation: edge.relation },
    });
  });
  return elements;
}

export function storyStyle(colors: GraphColors): StylesheetJson {
  return [
    {
      selector: 'node',
      style: {
        label: 'data(short)',
        'font-size': 10,
        'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        color: colors.text,
        'text-valign': 'bottom',
        'text-halign': 'center',
        'text-margin-y': 4,
        'text-wrap': 'wrap',
        'text-max-width': '120px',
        'text-background-color': colors.panel,
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
        width: 26,
        height: 26,
        'background-color': colors.panel,
        'background-image': 'data(icon)',
        'background-fit': 'none',
        'background-width': '16px',
        'background-height': '16px',
        'border-width': 1.5,
        'border-color': colors.muted,
      },
    },
    {
      selector: 'node[type = "Alert"]',
      style: {
        shape: 'round-rectangle',
        width: 30,
        height: 30,
        'background-color': 'data(color)',
        'border-color': 'data(color)',
        'background-width': '18px',
        'background-height': '18px',
        'font-weight': 600,
      },
    },
    {
      // Details (processes, files, registry, message ids) name themselves once zoomed in or
      // selected; the overview labels alerts, devices, users, mailboxes, apps, IPs and URLs.
      selector: 'node.minor',
      style: { label: '' },
    },
    { selector: 'node.minor.zoomed, node.minor.near', style: { label: 'data(short)' } },
    {
      selector: 'edge',
      style: {
        width: 1.2,
        'curve-style': 'bezier',
        'line-color': colors.border,
        'target-arrow-shape': 'triangle',
        'target-arrow-color': colors.border,
        'arrow-scale': 0.7,
        'font-size': 8,
        color: colors.muted,
        'text-rotation': 'autorotate',
        'text-background-color': colors.panel,
        'text-background-opacity': 1,
        'text-background-padding': '1px',
      },
    },
    // Relations are named when zoomed in, and around the selected node.
    { selector: 'edge', style: { label: '' } },
    { selector: 'edge.zoomed, edge.near', style: { label: 'data(relation)' } },
    { selector: 'edge.chain', style: { visibility: 'hidden', events: 'no' } },
    { selector: '.faded', style: { opacity: 0.18 } },
    {
      selector: 'edge.near',
      style: { 'line-color': colors.accent, 'target-arrow-color': colors.accent, width: 2, color: colors.text },
    },
    {
      selector: 'node:selected',
      style: {
        label: 'data(full)',
        'border-width': 3,
        'border-color': colors.focus,
        'text-max-width': '260px',
        'font-size': 11,
        'z-index': 20,
        'text-background-opacity': 1,
      },
    },
  ];
}
