// Small pieces shared by the device, user and settings pages: tabs kept in the URL, a modal
// dialog, a pager, hunting-query loading and the action-center merge.
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ApiError, api, type ODataList } from '../../api/client';
import { runHunt } from '../../api/hunt';
import type { Loaded } from '../../api/useApi';
import type { HuntingResult, MachineAction, ResponseAction } from '../../api/types';

// ---------------------------------------------------------------- hunting

// Runs a hunting query for a view; a new query cancels the one in flight. null: nothing to run.
export function useHunt(query: string | null): Loaded<HuntingResult> {
  const [data, setData] = useState<HuntingResult | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(query !== null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (query === null) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setError(undefined);
    runHunt(query, controller.signal)
      .then((result) => {
        if (controller.signal.aborted) return;
        setData(result);
        setLoading(false);
      })
      .catch((e: Error) => {
        if (e.name === 'AbortError' || controller.signal.aborted) return;
        setError(e);
        setLoading(false);
      });
    return () => controller.abort();
  }, [query, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}

export function str(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- errors

export function isNotFound(error: Error | undefined): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405 || error.status === 501);
}

// What a view shows when the server does not have the route yet (older server).
export function NotAvailable({ what }: { what: string }) {
  return (
    <div className="state state-empty ent-notavailable" role="status">
      <strong>{what}: not available on this server.</strong>
      <div className="small">The server answered 404 for this feature: it needs a newer `vigil serve`.</div>
    </div>
  );
}

// ---------------------------------------------------------------- tabs

export interface TabSpec {
  id: string;
  label: ReactNode;
}

// The selected tab lives in ?tab= so a tab can be linked and survives a reload.
export function useTab(ids: string[], fallback: string): [string, (id: string) => void] {
  const [params, setParams] = useSearchParams();
  const current = params.get('tab');
  const tab = current && ids.includes(current) ? current : fallback;
  const setTab = useCallback(
    (id: string) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (id === fallback) next.delete('tab');
          else next.set('tab', id);
          return next;
        },
        { replace: true },
      );
    },
    [setParams, fallback],
  );
  return [tab, setTab];
}

export function Tabs({
  tabs,
  active,
  onChange,
  label,
  idPrefix,
}: {
  tabs: TabSpec[];
  active: string;
  onChange: (id: string) => void;
  label: string;
  idPrefix: string;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    if (event.key === 'Home') next = 0;
    if (event.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    onChange(tabs[next].id);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((tab, index) => (
        <button
          key={tab.id}
          ref={(el) => {
            refs.current[index] = el;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${tab.id}`}
          aria-controls={`${idPrefix}-panel`}
          aria-selected={tab.id === active}
          tabIndex={tab.id === active ? 0 : -1}
          onClick={() => onChange(tab.id)}
          onKeyDown={(e) => onKey(e, index)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function TabPanel({ idPrefix, active, children }: { idPrefix: string; active: string; children: ReactNode }) {
  return (
    <div role="tabpanel" id={`${idPrefix}-panel`} aria-labelledby={`${idPrefix}-tab-${active}`}>
      {children}
    </div>
  );
}

// ---------------------------------------------------------------- modal

// A modal dialog: focus moves into it, Escape and the backdrop close it, focus returns to the
// control that opened it.
export function Modal({
  title,
  onClose,
  children,
  wide = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  // Read during the first render, before anything inside the dialog takes the focus.
  const opener = useRef<HTMLElement | null>(typeof document !== 'undefined' ? (document.activeElement as HTMLElement | null) : null);
  useEffect(() => {
    if (!box.current?.contains(document.activeElement)) {
      const first = box.current?.querySelector<HTMLElement>('textarea, input, select, button:not([data-close])');
      (first ?? box.current)?.focus();
    }
    const back = opener.current;
    return () => back?.focus?.();
  }, []);
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    }
    if (event.key === 'Tab' && box.current) {
      const focusable = [...box.current.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href]')].filter(
        (el) => !el.hasAttribute('disabled'),
      );
      if (focusable.length === 0) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };
  return (
    <div className="ent-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        className={`ent-modal${wide ? ' ent-modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKey}
      >
        <div className="ent-modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="btn btn-quiet" data-close aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- pager

export function Pager({
  page,
  pageSize,
  shown,
  total,
  hasNext,
  onPage,
  busy,
}: {
  page: number;
  pageSize: number;
  shown: number;
  total?: number;
  hasNext: boolean;
  onPage: (page: number) => void;
  busy?: boolean;
}) {
  const from = shown === 0 ? 0 : page * pageSize + 1;
  const to = page * pageSize + shown;
  return (
    <div className="pager" aria-label="Pages">
      <button type="button" className="btn btn-small" disabled={page === 0 || busy} onClick={() => onPage(page - 1)}>
        ‹ Previous
      </button>
      <span className="muted small" aria-live="polite">
        {from}–{to}
        {total !== undefined ? ` of ${total.toLocaleString()}` : ''}
      </span>
      <button type="button" className="btn btn-small" disabled={!hasNext || busy} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
    </div>
  );
}

// ---------------------------------------------------------------- response actions

// Action-center entry time (microseconds since the epoch) as ISO-8601.
export function microsToIso(us: number | null | undefined): string | null {
  if (!us) return null;
  const d = new Date(Math.floor(us / 1000));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// Pending and history lists of the action center, one entry per action id.
export async function loadActionCenter(signal?: AbortSignal): Promise<ResponseAction[]> {
  const [pending, history] = await Promise.all([
    api.get<ODataList<ResponseAction>>('/api/actioncenter/pending', signal),
    api.get<ODataList<ResponseAction>>('/api/actioncenter/history', signal),
  ]);
  const byId = new Map<number, ResponseAction>();
  for (const entry of [...(history?.value ?? []), ...(pending?.value ?? [])]) byId.set(entry.id, entry);
  return [...byId.values()].sort((a, b) => b.createdUs - a.createdUs);
}

// One row of an entity's "Actions" tab: a machine action, an action-center entry, or both
// (the two lists share ids).
export interface ActionRow {
  id: string;
  type: string;
  status: string;
  approval: string;
  requestor: string;
  comment: string;
  target: string;
  created: string | null;
  updated: string | null;
  incidentId: number | null;
}

function describeTarget(target: Record<string, string> | undefined): string {
  if (!target) return '';
  const kind = target.entityType ?? '';
  const what =
    target.accountName ??
    target.userPrincipalName ??
    target.accountUpn ??
    target.filePath ??
    target.sha256 ??
    target.url ??
    target.deviceName ??
    target.deviceId ??
    '';
  return kind && what ? `${kind}: ${what}` : kind || what;
}

export function mergeActions(machineActions: MachineAction[], center: ResponseAction[]): ActionRow[] {
  const rows = new Map<string, ActionRow>();
  for (const a of machineActions) {
    rows.set(String(a.id), {
      id: String(a.id),
      type: a.type,
      status: a.status,
      approval: '',
      requestor: a.requestor,
      comment: a.requestorComment ?? '',
      target: a.computerDnsName ? `Machine: ${a.computerDnsName}` : '',
      created: a.creationDateTimeUtc,
      updated: a.lastUpdateDateTimeUtc,
      incidentId: null,
    });
  }
  for (const e of center) {
    const id = String(e.id);
    const known = rows.get(id);
    rows.set(id, {
      id,
      type: e.type || known?.type || '',
      status: e.status || known?.status || '',
      approval: e.approval ?? '',
      requestor: e.requestor || known?.requestor || '',
      comment: [e.reason, e.resultMessage].filter(Boolean).join(' — ') || known?.comment || '',
      target: describeTarget(e.target) || known?.target || '',
      created: microsToIso(e.createdUs) ?? known?.created ?? null,
      updated: microsToIso(e.updatedUs) ?? known?.updated ?? null,
      incidentId: e.incidentId || null,
    });
  }
  return [...rows.values()].sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
}
