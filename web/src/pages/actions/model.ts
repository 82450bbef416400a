// Action center helpers: times in microseconds, what an action targets, what can be undone.
import type { ResponseAction } from '../../api/types';

// createdUs/updatedUs (microseconds since the epoch) -> ISO string for <Time>.
export function usToIso(us: number | null | undefined): string | null {
  if (!us || !Number.isFinite(us)) return null;
  const date = new Date(Math.floor(us / 1000));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

// The action types the server can reverse (ReverseOf in vigil/respond/action.cpp).
export const UNDOABLE_TYPES = new Set([
  'IsolateDevice',
  'StopAndQuarantineFile',
  'RestrictCodeExecution',
  'DisableUser',
  'BlockCloudApp',
]);

export function canUndo(a: ResponseAction): boolean {
  return UNDOABLE_TYPES.has(a.type) && a.status === 'Succeeded' && !a.undoneBy && !a.undoOf;
}

export interface TargetView {
  kind: string; // Device, User, Mailbox, File, Url, ...
  text: string;
  deviceId?: string;
  detail?: string;
  hash?: string;
}

// What the action is aimed at, from its target object (keys vary by entity type).
export function describeTarget(target: Record<string, string> | null | undefined): TargetView {
  const t = target ?? {};
  const kind = t.entityType || 'Unknown';
  const device = t.deviceName || t.deviceId;
  const file = t.filePath || t.fileName || t.sha256 || t.sha1;
  if (file && (t.sha256 || t.filePath || t.fileName || t.sha1)) {
    const detail = [t.processId && `PID ${t.processId}`, device && `on ${device}`].filter(Boolean).join(' · ');
    return { kind: t.processId ? 'Process' : 'File', text: file, deviceId: t.deviceId, detail: detail || undefined, hash: t.sha256 || t.sha1 };
  }
  if (t.accountName || t.accountSid || t.userPrincipalName) {
    const text = t.userPrincipalName || t.accountName || t.accountSid;
    return { kind: 'User', text, detail: device ? `on ${device}` : undefined };
  }
  if (t.mailbox || t.recipient || t.sender || t.networkMessageId) {
    const text = t.mailbox || t.recipient || t.sender || t.networkMessageId;
    const detail = t.networkMessageId && text !== t.networkMessageId ? `message ${t.networkMessageId}` : undefined;
    return { kind: kind === 'Unknown' ? 'Mailbox' : kind, text, detail };
  }
  if (t.url || t.domain || t.ipAddress) return { kind, text: t.url || t.domain || t.ipAddress };
  if (t.cloudApplication || t.appName) return { kind, text: t.cloudApplication || t.appName };
  if (device) return { kind: 'Device', text: device, deviceId: t.deviceId };
  const rest = Object.entries(t).filter(([k]) => k !== 'entityType');
  return { kind, text: rest.map(([k, v]) => `${k}=${v}`).join(', ') || '—' };
}

// "RunAntivirusScan" -> "Run antivirus scan"
export function actionLabel(type: string): string {
  const special: Record<string, string> = {
    RunAntivirusScan: 'Run antivirus scan',
    RunAntiVirusScan: 'Run antivirus scan',
    StopAndQuarantineFile: 'Stop and quarantine file',
    BlockUrl: 'Block URL',
  };
  if (special[type]) return special[type];
  const words = type.replace(/([a-z])([A-Z])/g, '$1 $2').split(' ');
  return words.map((w, i) => (i === 0 ? w : w.toLowerCase())).join(' ');
}
