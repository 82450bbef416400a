// "Create detection rule" from the current query: POST /api/detectionrules. The server checks
// that the query binds and returns Timestamp, ReportId and an entity column; its message is
// shown as is when it refuses (400).
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { RULE_CATEGORIES, SEVERITIES_ASCENDING } from '../../api/triage';
import { Dialog, DialogButtons } from '../../components/Dialog';
import type { DetectionRuleDraft } from './types';
import { useSubmit } from '../../components/useSubmit';

export const SEVERITIES = SEVERITIES_ASCENDING;
export const CATEGORIES = RULE_CATEGORIES;
export const FREQUENCIES = [
  { value: '1H', label: 'Every hour' },
  { value: '3H', label: 'Every 3 hours' },
  { value: '12H', label: 'Every 12 hours' },
  { value: '24H', label: 'Every 24 hours' },
];

const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

// "T1059.001, t1566 T1078" -> ["T1059.001", "T1566", "T1078"]; bad entries are returned apart.
export function parseTechniques(text: string): { techniques: string[]; invalid: string[] } {
  const parts = text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const techniques = [...new Set(parts.filter((p) => TECHNIQUE.test(p)))];
  const invalid = parts.filter((p) => !TECHNIQUE.test(p));
  return { techniques, invalid };
}

export interface CreatedRule {
  id: string;
  name: string;
  frequency?: string;
  [key: string]: unknown;
}

interface Props {
  query: string;
  initialName?: string;
  onCreated: (rule: CreatedRule) => void;
  onClose: () => void;
}

export function DetectionRuleDialog({ query, initialName, onCreated, onClose }: Props) {
  const [name, setName] = useState(initialName ?? '');
  const [severity, setSeverity] = useState('Medium');
  const [category, setCategory] = useState('SuspiciousActivity');
  const [frequency, setFrequency] = useState('1H');
  const [description, setDescription] = useState('');
  const [techniques, setTechniques] = useState('');
  const { busy, error, setError, run } = useSubmit();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the rule a name.');
      return;
    }
    const parsed = parseTechniques(techniques);
    if (parsed.invalid.length) {
      setError(`Not MITRE technique IDs: ${parsed.invalid.join(', ')} (use T1059 or T1059.001).`);
      return;
    }
    const draft: DetectionRuleDraft = {
      name: name.trim(),
      query,
      severity,
      category,
      frequency,
      description: description.trim(),
      techniques: parsed.techniques,
    };
    await run(async () => {
      const rule = await api.post<CreatedRule>('/api/detectionrules', draft);
      onCreated(rule ?? { id: '', name: draft.name, frequency });
    });
  };

  return (
    <Dialog title="Create detection rule" onClose={onClose}>
      <form className="modal-form hunt-form" onSubmit={submit}>
        <p className="muted small hunt-form-note">
          The rule runs this query on a schedule and raises an alert per result row. The results need Timestamp,
          ReportId and an entity column (DeviceId, DeviceName, AccountUpn, …).
        </p>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus maxLength={200} />
        </label>
        <div className="hunt-form-row">
          <label>
            Severity
            <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
              {SEVERITIES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Category
            <select value={category} onChange={(e) => setCategory(e.target.value)}>
              {CATEGORIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            Frequency
            <select value={frequency} onChange={(e) => setFrequency(e.target.value)}>
              {FREQUENCIES.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label>
          Description
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={4000} />
        </label>
        <label>
          MITRE techniques
          <input
            value={techniques}
            onChange={(e) => setTechniques(e.target.value)}
            placeholder="T1059.001, T1566"
            aria-describedby="hunt-techniques-help"
          />
        </label>
        <span id="hunt-techniques-help" className="muted small">
          Technique IDs separated by commas or spaces.
        </span>
        <DialogButtons confirm="Create rule" busyLabel="Creating…" busy={busy} disabled={!query.trim()} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
