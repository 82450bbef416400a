// Sample API objects for the page tests.

// An alert as GET /api/alerts returns it; `over` replaces fields.
export function sampleAlert(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    incidentId: 7,
    investigationId: null,
    assignedTo: null,
    severity: 'High',
    status: 'New',
    classification: null,
    determination: null,
    investigationState: 'UnsupportedAlertType',
    detectionSource: 'Sigma',
    detectorId: 'r1',
    category: 'CredentialAccess',
    title: `Alert ${id}`,
    description: '',
    alertCreationTime: '2026-11-24T07:57:32.6439530Z',
    firstEventTime: '2026-11-23T13:59:56.0000000Z',
    lastEventTime: '2026-11-23T13:59:56.0000000Z',
    lastUpdateTime: '2026-11-24T07:57:32.6668530Z',
    machineId: 'm1',
    computerDnsName: 'srv-sql01.contoso.com',
    mitreTechniques: [] as string[],
    relatedUser: { userName: 'adm-mchen', domainName: 'CONTOSO' },
    comments: [] as unknown[],
    ...over,
  };
}
