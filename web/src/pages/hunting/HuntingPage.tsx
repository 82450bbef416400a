// Advanced hunting: a KQL editor (Monaco with the Kusto language service, loaded on demand),
// run and cancel, the answer as a typed grid or a chart, saved and shared queries, built-in
// examples, and "Create detection rule" from the query.
import { Component, lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { apiRequest, ApiError } from '../../api/client';
import { useApi } from '../../api/useApi';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/Layout';
import { Loading } from '../../components/States';
import { CHART_KINDS, defaultChartKind, isChartable, type ChartKind } from './chartData';
import { DetectionRuleDialog, type CreatedRule } from './DetectionRuleDialog';
import type { ExampleQuery } from './examples';
import { EXAMPLE_QUERIES } from './examples';
import { parseErrorPosition } from './kustoSchema';
import type { QueryEditorProps } from './QueryEditor';
import { ResultsGrid } from './ResultsGrid';
import { SavedQueriesPanel } from './SavedQueriesPanel';
import { SaveQueryDialog } from './SaveQueryDialog';
import type { HuntingSchema, QueryPosition, RunResult, SavedQuery } from './types';
import './hunting.css';

const QueryEditor = lazy(() => import('./QueryEditor'));
// chart.js only loads when a chart is shown
const ResultsChart = lazy(() => import('./ResultsChart').then((m) => ({ default: m.ResultsChart })));
const DRAFT_KEY = 'vigil.hunting.draft';

type RunState =
  | { status: 'idle' }
  | { status: 'running'; started: number }
  | { status: 'done'; result: RunResult; wallMs: number; query: string }
  | { status: 'error'; error: Error; position: QueryPosition | null }
  | { status: 'cancelled' };

// If Monaco cannot load (old browser, chunk missing), hunting still works with a text area.
class EditorBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  componentDidCatch(error: unknown) {
    console.warn('Query editor unavailable, using a plain text area', error);
  }
  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

function PlainEditor({ value, onChange, onRun }: Pick<QueryEditorProps, 'value' | 'onChange' | 'onRun'>) {
  return (
    <textarea
      className="hunt-plain-editor mono"
      aria-label="Query"
      value={value}
      spellCheck={false}
      onChange={(e) => onChange(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || e.shiftKey)) {
          e.preventDefault();
          onRun();
        }
      }}
    />
  );
}

function initialQuery(fromUrl: string | null): string {
  if (fromUrl) return fromUrl;
  try {
    const draft = localStorage.getItem(DRAFT_KEY);
    if (draft) return draft;
  } catch {
    // storage unavailable
  }
  return EXAMPLE_QUERIES[0].query;
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, []);
  return <>{((now - since) / 1000).toFixed(1)} s</>;
}

export default function HuntingPage() {
  const { user, can } = useSession();
  const [params] = useSearchParams();
  const [query, setQuery] = useState(() => initialQuery(params.get('query')));
  const [run, setRun] = useState<RunState>({ status: 'idle' });
  const [view, setView] = useState<'table' | 'chart'>('table');
  const [chartKind, setChartKind] = useState<ChartKind>('timechart');
  const [current, setCurrent] = useState<SavedQuery | null>(null);
  const [dialog, setDialog] = useState<'save' | 'saveAs' | 'rule' | null>(null);
  const [reloadToken, setReloadToken] = useState(0);
  const [notice, setNotice] = useState<ReactNode>(null);
  const controller = useRef<AbortController | null>(null);
  const runCount = useRef(0);

  const schemaLoad = useApi<HuntingSchema>('/api/hunting/schema');
  // undefined while loading; null when the server has none (the editor works without it)
  const schema: HuntingSchema | null | undefined = schemaLoad.error ? null : schemaLoad.data;

  useEffect(() => {
    try {
      localStorage.setItem(DRAFT_KEY, query);
    } catch {
      // storage full or unavailable: the draft is only a convenience
    }
  }, [query]);

  useEffect(() => () => controller.current?.abort(), []);

  const queryRef = useRef(query);
  queryRef.current = query;

  const execute = useCallback(async () => {
    const text = queryRef.current;
    if (!text.trim()) return;
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const started = performance.now();
    const id = ++runCount.current;
    setRun({ status: 'running', started });
    try {
      const result = await apiRequest<RunResult>('/api/advancedhunting/run', {
        method: 'POST',
        body: { Query: text },
        signal: abort.signal,
      });
      if (id !== runCount.current) return;
      const answer: RunResult = {
        Schema: result?.Schema ?? [],
        Results: result?.Results ?? [],
        Stats: result?.Stats,
        Render: result?.Render ?? null,
      };
      const chartable = isChartable(answer.Schema);
      setChartKind(defaultChartKind(answer.Schema, answer.Render));
      setView(answer.Render && chartable && CHART_KINDS.some((k) => k.kind === answer.Render!.Kind) ? 'chart' : 'table');
      setRun({ status: 'done', result: answer, wallMs: performance.now() - started, query: text });
    } catch (e) {
      if (id !== runCount.current) return;
      if ((e as Error).name === 'AbortError') {
        setRun({ status: 'cancelled' });
        return;
      }
      const error = e as Error;
      const position = error instanceof ApiError && error.status === 400 ? parseErrorPosition(error.message) : null;
      setRun({ status: 'error', error, position });
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  }, []);

  const cancel = () => {
    controller.current?.abort();
  };

  const openSaved = (saved: SavedQuery) => {
    setQuery(saved.query);
    setCurrent(saved);
    setNotice(null);
  };
  const openExample = (example: ExampleQuery) => {
    setQuery(example.query);
    setCurrent(null);
    setNotice(null);
  };

  const serverError = useMemo(
    () =>
      run.status === 'error' && run.position ? { ...run.position, message: run.error.message } : null,
    [run],
  );

  const ownCurrent = current && user && (current.owner === user.name || can('admin')) ? current : null;
  const canSave = user !== null; // every role saves its own queries (the API admits viewers)
  const running = run.status === 'running';

  const editorProps: QueryEditorProps = {
    value: query,
    onChange: setQuery,
    onRun: () => void execute(),
    schema,
    serverError,
  };

  return (
    <div className="hunt-page">
      <PageHeader title="Advanced hunting">
        {can('responder') && (
          <button type="button" className="btn" onClick={() => setDialog('rule')} disabled={!query.trim()}>
            Create detection rule
          </button>
        )}
      </PageHeader>

      <div className="hunt-layout">
        <SavedQueriesPanel
          reloadToken={reloadToken}
          activeId={current?.id}
          onOpen={openSaved}
          onOpenExample={openExample}
          onDeleted={(id) => {
            if (current?.id === id) setCurrent(null);
          }}
          schema={schema}
          schemaError={schemaLoad.error}
        />

        <section className="hunt-main" aria-label="Query">
          <div className="hunt-toolbar">
            <button
              type="button"
              className="btn btn-primary"
              aria-label="Run query"
              onClick={() => void execute()}
              disabled={running || !query.trim()}
            >
              ▶ Run query
            </button>
            {running && (
              <button type="button" className="btn" onClick={cancel}>
                Cancel
              </button>
            )}
            {canSave && (
              <>
                <button
                  type="button"
                  className="btn"
                  onClick={() => setDialog(ownCurrent ? 'save' : 'saveAs')}
                  disabled={!query.trim()}
                >
                  Save
                </button>
                <button type="button" className="btn" onClick={() => setDialog('saveAs')} disabled={!query.trim()}>
                  Save as
                </button>
              </>
            )}
            <span className="hunt-current muted small">
              {current ? (
                <>
                  {current.name}
                  {current.query !== query && ' (edited)'}
                </>
              ) : (
                'Unsaved query'
              )}
            </span>
            <span className="hunt-hint muted small">Ctrl+Enter or Shift+Enter runs</span>
          </div>

          <div className="hunt-editor-frame">
            <EditorBoundary fallback={<PlainEditor value={query} onChange={setQuery} onRun={() => void execute()} />}>
              <Suspense fallback={<Loading what="Loading the query editor" />}>
                <QueryEditor {...editorProps} />
              </Suspense>
            </EditorBoundary>
          </div>

          {notice && (
            <div className="hunt-notice" role="status">
              {notice}
              <button type="button" className="btn btn-quiet btn-small" onClick={() => setNotice(null)} aria-label="Dismiss">
                ✕
              </button>
            </div>
          )}

          <RunOutput
            run={run}
            view={view}
            setView={setView}
            chartKind={chartKind}
            setChartKind={setChartKind}
          />
        </section>
      </div>

      {(dialog === 'save' || dialog === 'saveAs') && (
        <SaveQueryDialog
          query={query}
          existing={dialog === 'save' ? ownCurrent : null}
          initialName={dialog === 'saveAs' && current ? `${current.name} (copy)` : ''}
          onClose={() => setDialog(null)}
          onSaved={(saved) => {
            setCurrent(saved);
            setDialog(null);
            setReloadToken((t) => t + 1);
            setNotice(<>Saved “{saved.name}”.</>);
          }}
        />
      )}
      {dialog === 'rule' && (
        <DetectionRuleDialog
          query={query}
          initialName={current?.name}
          onClose={() => setDialog(null)}
          onCreated={(rule: CreatedRule) => {
            setDialog(null);
            setNotice(
              <>
                Created detection rule “{rule.name}”{rule.frequency ? `, running every ${String(rule.frequency).replace(/H$/, ' h')}` : ''}.{' '}
                <Link to="/settings">See the rules in Settings</Link>
              </>,
            );
          }}
        />
      )}
    </div>
  );
}

function RunOutput({
  run,
  view,
  setView,
  chartKind,
  setChartKind,
}: {
  run: RunState;
  view: 'table' | 'chart';
  setView: (v: 'table' | 'chart') => void;
  chartKind: ChartKind;
  setChartKind: (k: ChartKind) => void;
}) {
  if (run.status === 'idle')
    return <div className="state state-empty hunt-output">Run a query to see its results here.</div>;
  if (run.status === 'running')
    return (
      <div className="state state-loading hunt-output" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Running the query… <Elapsed since={run.started} />
      </div>
    );
  if (run.status === 'cancelled')
    return (
      <div className="state state-empty hunt-output" role="status">
        Query cancelled.
      </div>
    );
  if (run.status === 'error') {
    const { error, position } = run;
    const status = error instanceof ApiError ? error.status : 0;
    const retry = error instanceof ApiError && error.retryAfter ? ` Try again in ${error.retryAfter} s.` : '';
    return (
      <div className="hunt-error hunt-output" role="alert">
        <strong>{status === 400 ? 'The query has an error' : status === 429 ? 'Too many queries' : 'The query failed'}</strong>
        {position && (
          <span className="hunt-error-pos">
            Line {position.line}, column {position.column}
          </span>
        )}
        <div className="mono">{error.message.replace(/^Query failed:\s*/, '')}{retry}</div>
      </div>
    );
  }

  const { result, wallMs } = run;
  const stats = result.Stats ?? {};
  const rows = result.Results;
  const chartable = isChartable(result.Schema) && rows.length > 0;
  return (
    <div className="hunt-output">
      <div className="hunt-stats" role="status">
        <span>
          <strong>{(stats.RowsReturned ?? rows.length).toLocaleString()}</strong> {rows.length === 1 ? 'row' : 'rows'}
        </span>
        <span>
          Server time <strong>{formatMs(stats.ElapsedMs)}</strong>
        </span>
        <span className="muted">round trip {formatMs(wallMs)}</span>
        {typeof stats.RowsScanned === 'number' && stats.RowsScanned > 0 && <span className="muted">{stats.RowsScanned.toLocaleString()} rows scanned</span>}
        {chartable && (
          <span className="hunt-view-toggle" role="group" aria-label="Show results as">
            <button type="button" className="btn btn-small" aria-pressed={view === 'table'} onClick={() => setView('table')}>
              Table
            </button>
            <button type="button" className="btn btn-small" aria-pressed={view === 'chart'} onClick={() => setView('chart')}>
              Chart
            </button>
            {view === 'chart' && (
              <select aria-label="Chart type" value={chartKind} onChange={(e) => setChartKind(e.target.value as ChartKind)}>
                {CHART_KINDS.map((k) => (
                  <option key={k.kind} value={k.kind}>
                    {k.label}
                  </option>
                ))}
              </select>
            )}
          </span>
        )}
      </div>
      {stats.Truncated && (
        <div className="hunt-warning" role="alert">
          The results were truncated at {rows.length.toLocaleString()} rows. Narrow the query (time range, filters,
          summarize) to see everything.
        </div>
      )}
      {result.Schema.length === 0 ? (
        <div className="state state-empty">The query returned no columns.</div>
      ) : view === 'chart' && chartable ? (
        <Suspense fallback={<Loading what="Loading the chart" />}>
          <ResultsChart kind={chartKind} schema={result.Schema} rows={rows} render={result.Render} />
        </Suspense>
      ) : rows.length === 0 ? (
        <div className="state state-empty">No rows match the query.</div>
      ) : (
        <ResultsGrid key={`${run.query}|${rows.length}|${wallMs}`} schema={result.Schema} rows={rows} />
      )}
    </div>
  );
}
