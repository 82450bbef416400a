// The attack story (GET /api/incidents/{id}/story) as the incident page reads it: typed
// timeline, node ids, domains, labels, and the assets (devices, users, mailboxes, cloud apps)
// the story and the alerts name.
import type { Incident, Story, StoryNode } from '../../api/types';
import { sortDomains } from './model';

export interface TimelineEntry {
  time: string;
  alertId: string;
  title: string;
  severity: string;
  category: string;
  source: string;
  detectionSource: string;
  reason: string;
}

export function timelineOf(story: Story | undefined): TimelineEntry[] {
  const rows = (story?.timeline ?? []) as unknown as TimelineEntry[];
  return [...rows].sort((a, b) => String(a.time).localeCompare(String(b.time)));
}

export const alertNodeId = (alertId: string) => `alert:${alertId}`;
export function alertIdOf(nodeId: string): string | null {
  return nodeId.startsWith('alert:') ? nodeId.slice('alert:'.length) : null;
}
// "entity:Machine|647b..." -> "647b..." (the identifying part after the type)
export function entityKeyOf(nodeId: string): string {
  const bar = nodeId.indexOf('|');
  return bar >= 0 ? nodeId.slice(bar + 1) : nodeId;
}

// Alert id -> domain (the timeline's source; the incident's alerts' serviceSource otherwise).
export function alertSources(story: Story | undefined, incident?: Incident): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const alert of incident?.alerts ?? []) sources[alert.alertId] = alert.serviceSource;
  for (const entry of timelineOf(story)) if (entry.source) sources[entry.alertId] = entry.source;
  return sources;
}

// Domains present in the story with their alert counts, the four known ones first.
export function storyDomains(sources: Record<string, string>, alertIds?: string[]): { domain: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const [alertId, domain] of Object.entries(sources)) {
    if (alertIds && !alertIds.includes(alertId)) continue;
    counts.set(domain, (counts.get(domain) ?? 0) + 1);
  }
  return sortDomains([...counts.keys()]).map((domain) => ({ domain, count: counts.get(domain) ?? 0 }));
}

export const TYPE_LABELS: Record<string, string> = {
  Alert: 'Alert',
  Machine: 'Device',
  User: 'User',
  Mailbox: 'Mailbox',
  MailMessage: 'Email message',
  File: 'File',
  Process: 'Process',
  Ip: 'IP address',
  Url: 'URL',
  CloudApplication: 'Cloud app',
  RegistryKey: 'Registry key',
  RegistryValue: 'Registry value',
};
export const typeLabel = (type: string) => TYPE_LABELS[type] ?? type;

export function truncate(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

// Graph label of a node: processes and registry paths keep their meaningful end.
export function shortLabel(node: StoryNode, max = 26): string {
  const label = String(node.label ?? node.id);
  if (node.type === 'Process') {
    // the image name and the start of its arguments
    const match = /^"?(?:[^"\s]*[\\/])?([^"\\/\s]+)"?\s*(.*)$/.exec(label);
    if (match) return truncate(match[2] ? `${match[1]} ${match[2]}` : match[1], max);
  }
  if (node.type === 'RegistryKey' || node.type === 'RegistryValue' || node.type === 'File') {
    const parts = label.split('\\').filter(Boolean);
    if (parts.length > 1) return truncate(`…\\${parts.slice(-2).join('\\')}`, max);
  }
  return truncate(label, max);
}

// ---------------------------------------------------------------------------------- assets

export interface Asset {
  kind: 'device' | 'user' | 'mailbox' | 'cloudapp';
  name: string;
  aliases: string[];
  link?: string;
  alertIds: Set<string>;
}

const HEX_ID = /^[0-9a-f]{40}$/i;
const shortHost = (name: string) => name.toLowerCase().split('.')[0];
// "CONTOSO\\jdoe", "jdoe@contoso.com", "\\jdoe" -> "jdoe"
const accountOf = (name: string) => name.toLowerCase().replace(/^.*\\/, '').replace(/@.*$/, '');

// Devices, users, mailboxes and cloud apps of the incident: from the story's entity nodes
// (with the alerts they link to) and from the alerts' devices and entities.
export function incidentAssets(incident: Incident, story: Story | undefined): Asset[] {
  const byKey = new Map<string, Asset>();
  const add = (kind: Asset['kind'], key: string, name: string, alertId: string | null, deviceId?: string | null) => {
    if (!name) return;
    const mapKey = `${kind}|${key}`;
    let asset = byKey.get(mapKey);
    if (!asset) {
      asset = { kind, name, aliases: [], alertIds: new Set() };
      byKey.set(mapKey, asset);
    } else if (asset.name !== name && !asset.aliases.includes(name)) {
      // A fuller name reads better: a UPN, then DOMAIN\\name, then a bare name; an FQDN for devices.
      const rank = (n: string) => (n.includes('@') ? 3 : n.includes('\\') && !n.startsWith('\\') ? 2 : n.includes('.') ? 1 : 0);
      const fuller = rank(name) > rank(asset.name) || (rank(name) === rank(asset.name) && name.length > asset.name.length);
      if (fuller) {
        asset.aliases.push(asset.name);
        asset.name = name;
      } else {
        asset.aliases.push(name);
      }
    }
    if (alertId) asset.alertIds.add(alertId);
    if (kind === 'device' && deviceId) asset.link = `/devices/${encodeURIComponent(deviceId)}`;
  };

  for (const alert of incident.alerts ?? []) {
    for (const device of alert.devices ?? []) {
      if (device.deviceDnsName) add('device', shortHost(device.deviceDnsName), device.deviceDnsName, alert.alertId, device.mdatpDeviceId);
    }
    for (const entity of alert.entities ?? []) {
      if (entity.entityType === 'User') {
        const name =
          entity.userPrincipalName ??
          (entity.accountName ? (entity.domainName ? `${entity.domainName}\\${entity.accountName}` : entity.accountName) : null);
        if (name) add('user', accountOf(name), name, alert.alertId);
      }
    }
  }

  if (story) {
    const neighbours = new Map<string, Set<string>>();
    for (const edge of story.edges) {
      for (const [a, b] of [
        [edge.from, edge.to],
        [edge.to, edge.from],
      ]) {
        const alertId = alertIdOf(b);
        if (!alertId) continue;
        if (!neighbours.has(a)) neighbours.set(a, new Set());
        neighbours.get(a)!.add(alertId);
      }
    }
    for (const node of story.nodes) {
      const alerts = [...(neighbours.get(node.id) ?? [])];
      const label = String(node.label ?? '');
      const key = entityKeyOf(node.id);
      const each = (fn: (alertId: string | null) => void) => (alerts.length ? alerts.forEach(fn) : fn(null));
      if (node.type === 'Machine') each((a) => add('device', shortHost(label), label, a, HEX_ID.test(key) ? key : null));
      else if (node.type === 'User') each((a) => add('user', accountOf(label), label, a));
      else if (node.type === 'Mailbox') each((a) => add('mailbox', label.toLowerCase(), label, a));
      else if (node.type === 'CloudApplication') each((a) => add('cloudapp', label.toLowerCase(), label, a));
    }
  }

  const assets = [...byKey.values()];
  for (const asset of assets) {
    if (asset.kind === 'device' && !asset.link) asset.link = `/devices/${encodeURIComponent(asset.name)}`;
    if (asset.kind === 'user') asset.link = `/users/${encodeURIComponent(asset.name)}`;
  }
  return assets.sort((a, b) => b.alertIds.size - a.alertIds.size || a.name.localeCompare(b.name));
}

// A readable name for an investigation's entity key ("Type|part|part..."): the story's label for
// the same entity when there is one, else the most telling part of the key.
export function evidenceName(entityKey: string, story: Story | undefined): { name: string; detail: string } {
  const wanted = `entity:${entityKey}`.toLowerCase();
  const node = story?.nodes.find((n) => n.id.toLowerCase() === wanted);
  const parts = entityKey.split('|').slice(1);
  const rest = (name: string) => parts.filter((p) => p && p !== name && p.toLowerCase() !== name.toLowerCase()).join(' · ');
  if (node?.label) return { name: String(node.label), detail: rest(String(node.label)) };
  const type = entityKey.split('|')[0];
  const filled = parts.filter(Boolean);
  let name = filled[filled.length - 1] ?? entityKey;
  if (type === 'Process' && filled.length >= 2) name = filled[filled.length - 1];
  return { name, detail: rest(name) };
}
