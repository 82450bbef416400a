// Shapes of the settings routes (/api/settings/automation, /api/rules, /api/detectionrules,
// /api/settings/apps) and the words the page uses for them.
import type { DetectionRuleDraft } from '../hunting/types';

export const DOMAINS = ['endpoint', 'email', 'identity', 'cloud'] as const;
export type AutomationDomain = (typeof DOMAINS)[number];

export type DomainLevels = Partial<Record<AutomationDomain, string>>;

export interface AutomationPolicy {
  defaults: Record<AutomationDomain, string>;
  deviceGroups: Record<string, DomainLevels>;
  levels?: string[];
}

export const DEFAULT_LEVELS = [
  'Full',
  'SemiRequireApprovalAllFolders',
  'SemiRequireApprovalCoreFolders',
  'SemiRequireApprovalNonTempFolders',
  'NoAutomatedResponse',
];

export const LEVEL_INFO: Record<string, { label: string; help: string }> = {
  Full: {
    label: 'Full: remediate automatically',
    help: 'Remediation actions run as soon as the investigation decides on them.',
  },
  SemiRequireApprovalAllFolders: {
    label: 'Semi: approval for every action',
    help: 'Every remediation action waits for approval in the action center.',
  },
  SemiRequireApprovalCoreFolders: {
    label: 'Semi: approval for core folders',
    help: 'Actions on files in operating-system folders (such as C:\\Windows) wait for approval; the rest run automatically.',
  },
  SemiRequireApprovalNonTempFolders: {
    label: 'Semi: approval outside temp folders',
    help: 'Actions on files outside temporary folders wait for approval; files in temp folders are remediated automatically.',
  },
  NoAutomatedResponse: {
    label: 'No automated response',
    help: 'Investigations still run and report, but take no action; analysts remediate by hand.',
  },
};

export const DOMAIN_INFO: Record<AutomationDomain, { label: string; help: string }> = {
  endpoint: { label: 'Endpoint', help: 'Device actions: isolate, antivirus scan, stop and quarantine file, kill process.' },
  email: { label: 'Email', help: 'Mail actions: soft-delete messages, block senders and URLs.' },
  identity: { label: 'Identity', help: 'Account actions: disable user, revoke sessions, force password reset.' },
  cloud: { label: 'Cloud apps', help: 'Cloud-app actions: suspend users and revoke app consents.' },
};

export function levelLabel(level: string): string {
  return LEVEL_INFO[level]?.label ?? level;
}

// The body of PUT /api/settings/automation: the defaults and the group overrides, with empty
// ("use the default") entries and groups without any override left out.
export function automationBody(policy: AutomationPolicy): { defaults: Record<AutomationDomain, string>; deviceGroups: Record<string, DomainLevels> } {
  const deviceGroups: Record<string, DomainLevels> = {};
  for (const [group, levels] of Object.entries(policy.deviceGroups)) {
    const kept: DomainLevels = {};
    for (const d of DOMAINS) if (levels[d]) kept[d] = levels[d];
    if (group.trim() && Object.keys(kept).length) deviceGroups[group.trim()] = kept;
  }
  const defaults = {} as Record<AutomationDomain, string>;
  for (const d of DOMAINS) defaults[d] = policy.defaults[d];
  return { defaults, deviceGroups };
}

export interface RuleSwitch {
  id: string;
  title: string;
  level: string;
  status: string;
  author: string;
  kind: string;
  enabled: boolean;
  tags: string[];
}

// A custom detection rule as the server keeps it: the draft the hunting page posts, and more.
export interface CustomDetection extends DetectionRuleDraft {
  id: string;
  enabled: boolean;
  origin: string;
  createdBy: string;
}

export interface ApiApp {
  id: string;
  name: string;
  role: string;
  kind: 'app' | 'key' | string;
  source: string | null;
  createdTime: string;
  revoked: boolean;
}

export interface CreatedApp {
  id: string;
  clientId?: string;
  clientSecret?: string;
  apiKey?: string;
}

export const APP_ROLES = ['viewer', 'analyst', 'responder', 'admin'];
export const ROLE_HELP: Record<string, string> = {
  viewer: 'read incidents, alerts, devices and run hunting queries',
  analyst: 'viewer, plus triage incidents and alerts',
  responder: 'analyst, plus response actions and indicators',
  admin: 'everything, including settings and API apps',
  ingest: 'send events only (POST /api/ingest), counted under its source',
};

export function createAppBody(form: { kind: string; name: string; role: string; source: string }): Record<string, string> {
  const body: Record<string, string> = { name: form.name.trim(), role: form.role, kind: form.kind };
  if (form.role === 'ingest' && form.source.trim()) body.source = form.source.trim();
  return body;
}
