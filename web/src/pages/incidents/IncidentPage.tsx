// One incident: header (name, severity, status, domains, times), the manage bar (status,
// assignment, classification and determination, tags) for analysts, and the tabs: attack
// story, alerts, assets, evidence & response, comments. The tab is kept in the address.
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import type { Incident, Story } from '../../api/types';
import { useApi } from '../../api/useApi';
import { useSession } from '../../auth/session';
import { DomainBadge, SeverityBadge, StatusBadge } from '../../components/Badges';
import { ErrorState, Loading } from '../../components/States';
import { TabPanel, Tabs, useTab, type TabSpec } from '../../components/Tabs';
import { Time } from '../../components/Time';
import { EvidenceTab } from './EvidenceTab';
import { AlertsTab, AssetsTab, CommentsTab } from './IncidentTabs';
import { CLASSIFICATIONS, SETTABLE_STATUSES, humanize, incidentDeterminations, incidentDomains } from './model';
import { StoryTab } from './StoryTab';
import './incidents.css';
import { SelectField } from '../../components/SelectField';

const TABS = [
  { id: 'story', label: 'Attack story' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'assets', label: 'Assets' },
  { id: 'evidence', label: 'Evidence & response' },
  { id: 'comments', label: 'Comments' },
] as const;
type TabId = (typeof TABS)[number]['id'];
const TAB_IDS = TABS.map((t) => t.id);

// The tab labels with the number of alerts and comments.
function tabsWithCounts(counts: Partial<Record<TabId, number>>): TabSpec<TabId>[] {
  return TABS.map((tab) => ({
    id: tab.id,
    label: (
      <>
        {tab.label}
        {counts[tab.id] !== undefined && <span className="tab-count">{counts[tab.id]}</span>}
      </>
    ),
  }));
}

interface Draft {
  status: string;
  assignedTo: string;
  classification: string;
  determination: string;
  tags: string[];
}

const draftOf = (i: Incident): Draft => ({
  status: i.status,
  assignedTo: i.assignedTo ?? '',
  classification: i.classification || 'Unknown',
  determination: i.determination || 'NotAvailable',
  tags: [...(i.tags ?? [])],
});

function TagEditor({ tags, onChange, disabled }: { tags: string[]; onChange: (tags: string[]) => void; disabled: boolean }) {
  const [text, setText] = useState('');
  const add = () => {
    const tag = text.trim();
    if (tag && !tags.includes(tag)) onChange([...tags, tag]);
    setText('');
  };
  return (
    <div className="tag-editor">
      {tags.map((tag) => (
        <span key={tag} className="tag">
          {tag}
          <button type="button" className="tag-remove" aria-label={`Remove tag ${tag}`} disabled={disabled} onClick={() => onChange(tags.filter((t) => t !== tag))}>
            ×
          </button>
        </span>
      ))}
      <input
        aria-label="Add tag"
        placeholder="Add tag"
        value={text}
        size={10}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ',') {
            e.preventDefault();
            add();
          }
        }}
        onBlur={add}
      />
    </div>
  );
}

function ManageBar({ incident, onSaved }: { incident: Incident; onSaved: () => void }) {
  const { user, can } = useSession();
  const editable = can('analyst') && incident.status !== 'Redirected';
  const [draft, setDraft] = useState<Draft>(() => draftOf(incident));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setDraft(draftOf(incident)), [incident]);

  const original = draftOf(incident);
  const change: Record<string, unknown> = {};
  if (draft.status !== original.status) change.status = draft.status;
  if (draft.assignedTo.trim() !== original.assignedTo) change.assignedTo = draft.assignedTo.trim();
  if (draft.classification !== original.classification || draft.determination !== original.determination) {
    change.classification = draft.classification;
    change.determination = draft.determination;
  }
  if (draft.tags.join('\u0000') !== original.tags.join('\u0000')) change.tags = draft.tags;
  const dirty = Object.keys(change).length > 0;

  if (!editable) {
    return (
      <dl className="facts facts-inline incident-facts">
        <dt>Assigned to</dt>
        <dd>{incident.assignedTo ?? <span className="muted">Unassigned</span>}</dd>
        <dt>Classification</dt>
        <dd>{humanize(incident.classification) || 'Not set'}</dd>
        <dt>Determination</dt>
        <dd>{incident.determination === 'NotAvailable' ? <span className="muted">Not available</span> : humanize(incident.determination)}</dd>
        <dt>Tags</dt>
        <dd>{incident.tags.length ? incident.tags.join(', ') : <span className="muted">None</span>}</dd>
      </dl>
    );
  }

  const save = async () => {
    setBusy(true);
    setMessage(null);
    try {
      await api.patch(`/api/incidents/${incident.incidentId}`, change);
      setMessage({ ok: true, text: 'Saved.' });
      onSaved();
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const set = (part: Partial<Draft>) => {
    setMessage(null);
    setDraft((d) => ({ ...d, ...part }));
  };

  return (
    <form
      className="panel manage-bar"
      aria-label="Manage incident"
      onSubmit={(e) => {
        e.preventDefault();
        if (dirty) void save();
      }}
    >
      <label>
        Status
        <select value={draft.status} onChange={(e) => set({ status: e.target.value })} disabled={busy}>
          {SETTABLE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Assigned to
        <span className="row-tight">
          <input value={draft.assignedTo} onChange={(e) => set({ assignedTo: e.target.value })} placeholder="Unassigned" size={14} disabled={busy} />
          {user && draft.assignedTo !== user.name && (
            <button type="button" className="btn btn-small" onClick={() => set({ assignedTo: user.name })} disabled={busy}>
              Me
            </button>
          )}
        </span>
      </label>
      <SelectField
        label="Classification"
        value={draft.classification}
        onChange={(v) => set({ classification: v, determination: 'NotAvailable' })}
        options={CLASSIFICATIONS}
        optionLabel={humanize}
        disabled={busy}
      />
      <label>
        Determination
        <select value={draft.determination} onChange={(e) => set({ determination: e.target.value })} disabled={busy}>
          {[...new Set([...incidentDeterminations(draft.classification), draft.determination])].map((d) => (
            <option key={d} value={d}>
              {d === 'NotAvailable' ? 'Not available' : humanize(d)}
            </option>
          ))}
        </select>
      </label>
      <div className="manage-tags">
        <span className="field-label">Tags</span>
        <TagEditor tags={draft.tags} onChange={(tags) => set({ tags })} disabled={busy} />
      </div>
      <div className="manage-buttons">
        <button type="submit" className="btn btn-primary" disabled={!dirty || busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        {dirty && !busy && (
          <button type="button" className="btn btn-quiet" onClick={() => setDraft(draftOf(incident))}>
            Undo changes
          </button>
        )}
        {message && (
          <span className={message.ok ? 'save-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
            {message.text}
          </span>
        )}
      </div>
    </form>
  );
}

export default function IncidentPage() {
  const { id = '' } = useParams();
  const valid = /^\d+$/.test(id);
  const incident = useApi<Incident>(valid ? `/api/incidents/${id}` : null);
  const story = useApi<Story>(valid ? `/api/incidents/${id}/story` : null);
  const [tab, setTab] = useTab<TabId>(TAB_IDS, 'story');

  const data = incident.data;
  const domains = useMemo(() => (data ? incidentDomains(data) : []), [data]);
  useEffect(() => {
    if (data) document.title = `Incident ${data.incidentId}: ${data.incidentName} · Vigil`;
  }, [data]);

  if (!valid) return <ErrorState error={new Error(`'${id}' is not an incident id.`)} />;
  if (incident.error && !data) return <ErrorState error={incident.error} onRetry={incident.reload} />;
  if (!data || data.incidentId !== Number(id)) return <Loading what="Loading the incident" />;

  const counts: Partial<Record<TabId, number>> = { alerts: data.alerts?.length ?? 0, comments: data.comments?.length ?? 0 };
  return (
    <div className="incident-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to="/incidents">Incidents</Link> <span aria-hidden="true">›</span> <span>Incident {data.incidentId}</span>
      </nav>
      {data.status === 'Redirected' && (
        <div className="banner" role="note">
          This incident was merged into{' '}
          {data.redirectIncidentId !== null ? (
            <Link to={`/incidents/${data.redirectIncidentId}`}>incident {data.redirectIncidentId}</Link>
          ) : (
            'another incident'
          )}
          ; its alerts and further work are there.
        </div>
      )}
      <header className="incident-head">
        <h1>{data.incidentName}</h1>
        <div className="incident-badges">
          <SeverityBadge severity={data.severity} />
          <StatusBadge status={data.status} />
          {domains.map((d) => (
            <DomainBadge key={d} domain={d} />
          ))}
          <span className="muted small incident-times">
            Incident {data.incidentId} · Created <Time value={data.createdTime} /> · Last update{' '}
            <Time value={data.lastUpdateTime} />
          </span>
          {data.systemTags.map((t) => (
            <span key={t} className="tag tag-system">
              {t}
            </span>
          ))}
        </div>
      </header>
      <ManageBar incident={data} onSaved={incident.reload} />

      <Tabs tabs={tabsWithCounts(counts)} active={tab} onChange={setTab} label="Incident views" idPrefix="incident" />
      <TabPanel idPrefix="incident" active={tab} className="tab-panel">
        {tab === 'story' && <StoryTab incident={data} story={story.data} error={story.error} onRetry={story.reload} />}
        {tab === 'alerts' && <AlertsTab incident={data} />}
        {tab === 'assets' && <AssetsTab incident={data} story={story.data} />}
        {tab === 'evidence' && <EvidenceTab incidentId={data.incidentId} story={story.data} />}
        {tab === 'comments' && <CommentsTab incident={data} onAdded={incident.reload} />}
      </TabPanel>
    </div>
  );
}
