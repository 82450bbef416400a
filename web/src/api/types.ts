// Shapes of the API answers the console reads (docs/API.md). Only the fields the console uses
// are typed; the server sends more.
export type Severity = 'Informational' | 'Low' | 'Medium' | 'High' | 'UnSpecified' | string;

export interface Entity {
  entityType: string;
  evidenceCreationTime?: string;
  sha1?: string | null;
  sha256?: string | null;
  fileName?: string | null;
  filePath?: string | null;
  processId?: number | null;
  processCommandLine?: string | null;
  ipAddress?: string | null;
  url?: string | null;
  registryKey?: string | null;
  accountName?: string | null;
  domainName?: string | null;
  userSid?: string | null;
  userPrincipalName?: string | null;
  deviceId?: string | null;
  detectionStatus?: string | null;
  [key: string]: unknown;
}

export interface IncidentAlert {
  alertId: string;
  incidentId: number | null;
  serviceSource: string;
  creationTime: string;
  firstActivity: string;
  lastActivity: string;
  title: string;
  description: string;
  category: string;
  status: string;
  severity: Severity;
  investigationId: number | null;
  investigationState: string;
  detectionSource: string;
  detectorId: string;
  assignedTo: string | null;
  mitreTechniques: string[];
  devices: { mdatpDeviceId: string; deviceDnsName: string; riskScore?: string }[];
  entities: Entity[];
}

export interface Comment {
  comment: string;
  createdBy: string;
  createdTime: string;
}

export interface Incident {
  incidentId: number;
  redirectIncidentId: number | null;
  incidentName: string;
  createdTime: string;
  lastUpdateTime: string;
  assignedTo: string | null;
  classification: string;
  determination: string;
  status: string;
  severity: Severity;
  tags: string[];
  systemTags: string[];
  comments: Comment[];
  alerts?: IncidentAlert[];
}

export interface Alert {
  id: string;
  incidentId: number | null;
  investigationId: number | null;
  assignedTo: string | null;
  severity: Severity;
  status: string;
  classification: string | null;
  determination: string | null;
  investigationState: string;
  detectionSource: string;
  detectorId: string;
  category: string;
  title: string;
  description: string;
  alertCreationTime: string;
  firstEventTime: string;
  lastEventTime: string;
  lastUpdateTime: string;
  machineId: string | null;
  computerDnsName: string | null;
  mitreTechniques: string[];
  relatedUser: { userName: string; domainName: string } | null;
  comments: Comment[];
  [key: string]: unknown;
}

export interface Machine {
  id: string;
  computerDnsName: string;
  firstSeen: string;
  lastSeen: string;
  osPlatform: string;
  osBuild: number | null;
  version: string;
  lastIpAddress: string | null;
  lastExternalIpAddress: string | null;
  healthStatus: string;
  rbacGroupName: string | null;
  riskScore: string;
  exposureLevel: string;
  machineTags: string[];
}

export interface MachineAction {
  id: string;
  type: string;
  title: string;
  requestor: string;
  requestorComment: string;
  status: string;
  machineId: string | null;
  computerDnsName: string | null;
  creationDateTimeUtc: string;
  lastUpdateDateTimeUtc: string;
}

// Action center entries (GET /api/actioncenter/pending|history).
export interface ResponseAction {
  id: number;
  type: string;
  connector: string;
  status: string;
  approval: string;
  source: string;
  requestor: string;
  reason: string;
  incidentId: number;
  investigationId: number;
  createdUs: number;
  updatedUs: number;
  decidedBy: string;
  decisionComment: string;
  resultMessage: string;
  undoOf: number;
  undoneBy: number;
  target: Record<string, string>;
}

export interface InvestigationEvidence {
  entityKey: string;
  entityType: string;
  verdict: 'Malicious' | 'Suspicious' | 'NoThreatsFound' | 'Unknown' | string;
  reasons: string[];
}

export interface Investigation {
  id: number;
  incidentId: number;
  investigationState: string;
  playbook: string;
  startTime: string;
  lastUpdateTime: string;
  alertIds: string[];
  evidence?: InvestigationEvidence[];
  log?: { time: string; message: string }[];
}

export interface Indicator {
  id: string;
  indicatorValue: string;
  indicatorType: string;
  action: string;
  severity: string;
  title: string;
  description: string;
  createdBy: string;
  creationTimeDateTimeUtc: string;
  expirationTime: string | null;
  generateAlert: boolean;
}

// GET /api/incidents/{id}/story (as `vigil incidents story ID`).
export interface StoryNode {
  id: string;
  type: string; // "Alert" or an entity type: Machine, User, Mailbox, File, Process, Ip, Url, CloudApplication, MailMessage
  label: string;
  severity?: string;
  [key: string]: unknown;
}
export interface StoryEdge {
  from: string;
  to: string;
  relation: string;
}
export interface Story {
  incident: Record<string, unknown>;
  nodes: StoryNode[];
  edges: StoryEdge[];
  timeline?: Record<string, unknown>[];
}

// Hunting (POST /api/advancedhunting/run).
export interface HuntingColumn {
  Name: string;
  Type: string;
}
export interface HuntingResult {
  Schema: HuntingColumn[];
  Results: Record<string, unknown>[];
  Stats?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface User {
  name: string;
  role: 'viewer' | 'analyst' | 'responder' | 'admin' | string;
}
