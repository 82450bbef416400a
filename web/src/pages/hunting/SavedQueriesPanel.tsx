// Side panel: saved queries (mine and the shared ones, with their owner), the built-in examples,
// and the tables of the hunting schema. Opening puts the query into the editor.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, type ODataList } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { Empty, ErrorState, Loading } from '../../components/States';
import { TabPanel, Tabs, type TabSpec } from '../../components/Tabs';
import { Time } from '../../components/Time';
import { EXAMPLE_QUERIES, type ExampleQuery } from './examples';
import type { HuntingSchema, SavedQuery } from './types';

interface Props {
  // bumped by the page after a save so the list loads again
  reloadToken: number;
  activeId?: string | null;
  onOpen: (query: SavedQuery) => void;
  onOpenExample: (example: ExampleQuery) => void;
  onDeleted: (id: string) => void;
  schema: HuntingSchema | null | undefined;
  schemaError?: Error;
}

const SIDE_TABS: TabSpec<'queries' | 'schema'>[] = [
  { id: 'queries', label: 'Queries' },
  { id: 'schema', label: 'Schema' },
];

export function SavedQueriesPanel({ reloadToken, activeId, onOpen, onOpenExample, onDeleted, schema, schemaError }: Props) {
  const [tab, setTab] = useState<'queries' | 'schema'>('queries');
  return (
    <aside className="hunt-side panel" aria-label="Queries and schema">
      <Tabs tabs={SIDE_TABS} active={tab} onChange={setTab} label="Side panel" idPrefix="hunt-side" className="hunt-side-tabs" />
      <TabPanel idPrefix="hunt-side" active={tab}>
      {tab === 'queries' ? (
        <QueryList
          reloadToken={reloadToken}
          activeId={activeId}
          onOpen={onOpen}
          onOpenExample={onOpenExample}
          onDeleted={onDeleted}
        />
      ) : (
        <SchemaList schema={schema} error={schemaError} />
      )}
      </TabPanel>
    </aside>
  );
}

function QueryList({
  reloadToken,
  activeId,
  onOpen,
  onOpenExample,
  onDeleted,
}: Pick<Props, 'reloadToken' | 'activeId' | 'onOpen' | 'onOpenExample' | 'onDeleted'>) {
  const { user, can } = useSession();
  const loaded = useApi<ODataList<SavedQuery>>('/api/hunting/queries');
  const [deleteError, setDeleteError] = useState('');
  const first = useRef(true);
  const { reload } = loaded;

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    reload();
  }, [reloadToken, reload]);

  const remove = async (query: SavedQuery) => {
    if (!window.confirm(`Delete the saved query "${query.name}"?`)) return;
    setDeleteError('');
    try {
      await api.del(`/api/hunting/queries/${encodeURIComponent(query.id)}`);
      onDeleted(query.id);
      reload();
    } catch (e) {
      setDeleteError(`Could not delete "${query.name}": ${(e as Error).message}`);
    }
  };

  const [mine, shared] = useMemo(() => {
    const list = loaded.data?.value ?? [];
    const sortByName = (a: SavedQuery, b: SavedQuery) => a.name.localeCompare(b.name);
    return [
      list.filter((q) => q.owner === user?.name).sort(sortByName),
      list.filter((q) => q.owner !== user?.name).sort(sortByName),
    ];
  }, [loaded.data, user]);

  const missing = loaded.error instanceof ApiError && loaded.error.status === 404;
  const item = (q: SavedQuery) => {
    const own = q.owner === user?.name;
    return (
      <li key={q.id} className={q.id === activeId ? 'active' : undefined}>
        <button type="button" className="hunt-query-open" onClick={() => onOpen(q)} title={q.description || q.query}>
          <span className="hunt-query-name">{q.name}</span>
          <span className="muted small">
            {own ? 'you' : q.owner}
            {q.shared && <span className="badge hunt-shared">shared</span>}
            {q.lastUpdateTime && (
              <>
                {' · '}
                <Time value={q.lastUpdateTime} relative />
              </>
            )}
          </span>
        </button>
        {(own || can('admin')) && (
          <button type="button" className="btn btn-quiet btn-small hunt-delete" aria-label={`Delete ${q.name}`} onClick={() => void remove(q)}>
            Delete
          </button>
        )}
      </li>
    );
  };

  return (
    <div className="hunt-side-body">
      <h3>My queries</h3>
      {loaded.error ? (
        missing ? (
          <p className="muted small">Saved queries are not available on this server yet.</p>
        ) : (
          <ErrorState error={loaded.error} onRetry={reload} />
        )
      ) : loaded.loading && !loaded.data ? (
        <Loading what="Loading saved queries" />
      ) : (
        <>
          {mine.length ? <ul className="hunt-query-list">{mine.map(item)}</ul> : <Empty>No saved queries yet.</Empty>}
          <h3>Shared queries</h3>
          {shared.length ? <ul className="hunt-query-list">{shared.map(item)}</ul> : <Empty>Nobody shared a query yet.</Empty>}
        </>
      )}
      {deleteError && (
        <p className="form-error small" role="alert">
          {deleteError}
        </p>
      )}
      <h3>Examples</h3>
      <ul className="hunt-query-list">
        {EXAMPLE_QUERIES.map((example) => (
          <li key={example.id}>
            <button type="button" className="hunt-query-open" onClick={() => onOpenExample(example)} title={example.description}>
              <span className="hunt-query-name">{example.name}</span>
              <span className="muted small">{example.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function SchemaList({ schema, error }: { schema: HuntingSchema | null | undefined; error?: Error }) {
  const [filter, setFilter] = useState('');
  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <div className="hunt-side-body">
        <p className="muted small">
          {missing ? 'The schema is not available on this server yet.' : `Could not load the schema: ${error.message}`}
        </p>
      </div>
    );
  }
  if (schema === undefined) return <Loading what="Loading the schema" />;
  const needle = filter.trim().toLowerCase();
  const tables = (schema?.Tables ?? [])
    .filter((t) => !needle || t.Name.toLowerCase().includes(needle) || t.Columns.some((c) => c.Name.toLowerCase().includes(needle)))
    .sort((a, b) => a.Name.localeCompare(b.Name));
  return (
    <div className="hunt-side-body">
      <label>
        Find a table or column
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      {tables.length === 0 ? (
        <Empty>No table matches.</Empty>
      ) : (
        <ul className="hunt-schema-list">
          {tables.map((t) => (
            <li key={t.Name}>
              <details open={needle.length > 0 && !t.Name.toLowerCase().includes(needle)}>
                <summary>
                  {t.Name} <span className="muted small">{t.Columns.length}</span>
                </summary>
                <ul>
                  {t.Columns.map((c) => (
                    <li key={c.Name} className={needle && c.Name.toLowerCase().includes(needle) ? 'hunt-match' : undefined}>
                      <span className="mono">{c.Name}</span> <span className="muted small">{c.Type}</span>
                    </li>
                  ))}
                </ul>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
