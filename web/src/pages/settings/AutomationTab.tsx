// Automation levels: one per domain, with overrides per device group (GET/PUT
// /api/settings/automation; saving needs the admin role).
import { useEffect, useMemo, useState } from 'react';
import { api, type ODataList } from '../../api/client';
import type { Machine } from '../../api/types';
import { useApi } from '../../api/useApi';
import { useSession } from '../../auth/session';
import { ErrorState, Loading } from '../../components/States';
import { NotAvailable, isNotFound } from '../devices/common';
import {
  DEFAULT_LEVELS,
  DOMAINS,
  DOMAIN_INFO,
  LEVEL_INFO,
  automationBody,
  levelLabel,
  type AutomationDomain,
  type AutomationPolicy,
} from './settingsModel';

export function AutomationTab() {
  const loaded = useApi<AutomationPolicy>('/api/settings/automation');
  if (loaded.error && isNotFound(loaded.error)) return <NotAvailable what="Automation settings" />;
  if (loaded.error) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading what="Loading the automation policy" />;
  return <AutomationForm initial={loaded.data} onSaved={loaded.reload} />;
}

function clone(policy: AutomationPolicy): AutomationPolicy {
  return {
    defaults: { ...policy.defaults },
    deviceGroups: Object.fromEntries(Object.entries(policy.deviceGroups ?? {}).map(([g, l]) => [g, { ...l }])),
    levels: policy.levels,
  };
}

function AutomationForm({ initial, onSaved }: { initial: AutomationPolicy; onSaved: () => void }) {
  const { can } = useSession();
  const admin = can('admin');
  const [draft, setDraft] = useState<AutomationPolicy>(() => clone(initial));
  const [newGroup, setNewGroup] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const levels = initial.levels?.length ? initial.levels : DEFAULT_LEVELS;
  const machines = useApi<ODataList<Machine>>(admin ? '/api/machines?$select=rbacGroupName&$top=10000' : null);

  useEffect(() => setDraft(clone(initial)), [initial]);

  const knownGroups = useMemo(() => {
    const names = new Set<string>();
    for (const m of machines.data?.value ?? []) if (m.rbacGroupName) names.add(m.rbacGroupName);
    return [...names].filter((g) => !(g in draft.deviceGroups)).sort();
  }, [machines.data, draft.deviceGroups]);

  const dirty = JSON.stringify(automationBody(draft)) !== JSON.stringify(automationBody(clone(initial)));

  const setDefault = (domain: AutomationDomain, level: string) =>
    setDraft((d) => ({ ...d, defaults: { ...d.defaults, [domain]: level } }));
  const setGroup = (group: string, domain: AutomationDomain, level: string) =>
    setDraft((d) => ({ ...d, deviceGroups: { ...d.deviceGroups, [group]: { ...d.deviceGroups[group], [domain]: level || undefined } } }));
  const removeGroup = (group: string) =>
    setDraft((d) => {
      const groups = { ...d.deviceGroups };
      delete groups[group];
      return { ...d, deviceGroups: groups };
    });
  const addGroup = () => {
    const name = newGroup.trim();
    if (!name || name in draft.deviceGroups) return;
    setDraft((d) => ({ ...d, deviceGroups: { ...d.deviceGroups, [name]: {} } }));
    setNewGroup('');
  };

  const save = async () => {
    setBusy(true);
    setMessage(null);
    try {
      await api.put('/api/settings/automation', automationBody(draft));
      setMessage({ ok: true, text: 'Automation levels saved. They apply to the next investigations.' });
      onSaved();
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const groups = Object.keys(draft.deviceGroups).sort();

  return (
    <div className="ent-settings">
      <p className="muted">
        How far automated investigations may go on their own. Actions that need approval wait in the action center.
        {!admin && ' Only admins can change these levels.'}
      </p>
      <div className="ent-levels panel">
        <h3>Levels</h3>
        <dl className="facts small">
          {levels.map((level) => (
            <div key={level} className="ent-level-row">
              <dt>{levelLabel(level)}</dt>
              <dd>{LEVEL_INFO[level]?.help ?? ''}</dd>
            </div>
          ))}
        </dl>
      </div>

      <h3>Defaults per domain</h3>
      <div className="ent-domain-grid">
        {DOMAINS.map((domain) => (
          <div className="panel ent-domain" key={domain}>
            <label>
              <span className="ent-strong ent-text">{DOMAIN_INFO[domain].label}</span>
              <select
                aria-label={`${DOMAIN_INFO[domain].label} automation level`}
                value={draft.defaults[domain] ?? ''}
                disabled={!admin}
                onChange={(e) => setDefault(domain, e.target.value)}
              >
                {!levels.includes(draft.defaults[domain]) && <option value={draft.defaults[domain] ?? ''}>{draft.defaults[domain] || '(not set)'}</option>}
                {levels.map((level) => (
                  <option key={level} value={level}>
                    {levelLabel(level)}
                  </option>
                ))}
              </select>
            </label>
            <p className="muted small">{DOMAIN_INFO[domain].help}</p>
          </div>
        ))}
      </div>

      <h3>Device group overrides</h3>
      <p className="muted small">A group's setting replaces the default for devices of that group; “Default” keeps the domain default.</p>
      {groups.length === 0 ? (
        <p className="muted">No overrides: every device group uses the defaults.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" aria-label="Device group overrides">
            <thead>
              <tr>
                <th>Device group</th>
                {DOMAINS.map((d) => (
                  <th key={d}>{DOMAIN_INFO[d].label}</th>
                ))}
                {admin && <th aria-label="Remove" />}
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr key={group}>
                  <td className="ent-strong">{group}</td>
                  {DOMAINS.map((domain) => (
                    <td key={domain}>
                      <select
                        aria-label={`${group}: ${DOMAIN_INFO[domain].label} automation level`}
                        value={draft.deviceGroups[group]?.[domain] ?? ''}
                        disabled={!admin}
                        onChange={(e) => setGroup(group, domain, e.target.value)}
                      >
                        <option value="">Default ({levelLabel(draft.defaults[domain]).split(':')[0]})</option>
                        {levels.map((level) => (
                          <option key={level} value={level}>
                            {levelLabel(level)}
                          </option>
                        ))}
                      </select>
                    </td>
                  ))}
                  {admin && (
                    <td>
                      <button type="button" className="btn btn-small" onClick={() => removeGroup(group)} aria-label={`Remove the override of ${group}`}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin && (
        <div className="filters ent-add-group">
          <label>
            Add an override for a device group
            <input
              list="ent-known-groups"
              value={newGroup}
              placeholder="group name"
              onChange={(e) => setNewGroup(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') addGroup();
              }}
            />
            <datalist id="ent-known-groups">
              {knownGroups.map((g) => (
                <option key={g} value={g} />
              ))}
            </datalist>
          </label>
          <button type="button" className="btn" onClick={addGroup} disabled={!newGroup.trim() || newGroup.trim() in draft.deviceGroups}>
            Add group
          </button>
        </div>
      )}

      {admin && (
        <div className="ent-savebar">
          <button type="button" className="btn btn-primary" onClick={save} disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save automation levels'}
          </button>
          <button type="button" className="btn" onClick={() => setDraft(clone(initial))} disabled={!dirty || busy}>
            Discard changes
          </button>
          {dirty && !busy && <span className="muted small">Unsaved changes</span>}
          {message && (
            <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ent-ok' : 'form-error'}>
              {message.text}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
