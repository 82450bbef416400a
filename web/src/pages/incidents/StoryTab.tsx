// "Attack story" tab: the graph with its legend and the domains it spans, the details of the
// selected node, and the time-ordered alerts with the reason each joined the incident.
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { Incident, Story } from '../../api/types';
import { DomainBadge, SeverityBadge } from '../../components/Badges';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { humanize } from './model';
import { TypeIcon } from './storyIcons';
import {
  alertIdOf,
  alertNodeId,
  alertSources,
  entityKeyOf,
  storyDomains,
  timelineOf,
  typeLabel,
  type TimelineEntry,
} from './storyModel';

// cytoscape is only fetched when a story is shown.
const StoryGraph = lazy(() => import('./StoryGraph'));

function NodeDetails({
  story,
  nodeId,
  timeline,
  sources,
  onSelect,
}: {
  story: Story;
  nodeId: string;
  timeline: TimelineEntry[];
  sources: Record<string, string>;
  onSelect: (id: string | null) => void;
}) {
  const node = story.nodes.find((n) => n.id === nodeId);
  if (!node) return null;
  const linked = story.edges
    .filter((e) => e.from === nodeId || e.to === nodeId)
    .map((e) => ({ id: e.from === nodeId ? e.to : e.from, relation: e.relation }));
  const nodeById = new Map(story.nodes.map((n) => [n.id, n]));
  const alertId = alertIdOf(node.id);
  const entry = alertId ? timeline.find((t) => t.alertId === alertId) : undefined;
  const key = entityKeyOf(node.id);

  return (
    <section className="panel node-details" aria-label="Selected node" aria-live="polite">
      <div className="node-details-head">
        <TypeIcon type={node.type} />
        <span className="muted small">{typeLabel(node.type)}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-small btn-quiet" onClick={() => onSelect(null)} aria-label="Close details">
          ✕
        </button>
      </div>
      <p className="node-full">{String(node.label)}</p>
      {alertId ? (
        <dl className="facts">
          <dt>Severity</dt>
          <dd>
            <SeverityBadge severity={node.severity ?? entry?.severity} />
          </dd>
          {sources[alertId] && (
            <>
              <dt>Domain</dt>
              <dd>
                <DomainBadge domain={sources[alertId]} />
              </dd>
            </>
          )}
          {entry && (
            <>
              <dt>Time</dt>
              <dd>
                <Time value={entry.time} />
              </dd>
              <dt>Category</dt>
              <dd>{humanize(entry.category)}</dd>
              <dt>Detection</dt>
              <dd>{entry.detectionSource}</dd>
              <dt>Correlation</dt>
              <dd>{entry.reason}</dd>
            </>
          )}
          <dt>Alert</dt>
          <dd>
            <Link to={`/alerts/${encodeURIComponent(alertId)}`}>Open alert</Link>
          </dd>
        </dl>
      ) : (
        <>
          {node.type === 'Machine' && (
            <p>
              <Link to={`/devices/${encodeURIComponent(/^[0-9a-f]{40}$/i.test(key) ? key : String(node.label))}`}>
                Open device page
              </Link>
            </p>
          )}
          {node.type === 'User' && (
            <p>
              <Link to={`/users/${encodeURIComponent(String(node.label))}`}>Open user page</Link>
            </p>
          )}
        </>
      )}
      {linked.length > 0 && (
        <>
          <h3>Linked ({linked.length})</h3>
          <ul className="linked-list">
            {linked.map((l, i) => {
              const other = nodeById.get(l.id);
              if (!other) return null;
              return (
                <li key={`${l.id}-${i}`}>
                  <span className="muted small linked-relation">{l.relation}</span>
                  <button type="button" className="link-button linked-name" onClick={() => onSelect(l.id)} title={String(other.label)}>
                    <TypeIcon type={other.type} size={13} /> {String(other.label)}
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

export function StoryTab({
  incident,
  story,
  error,
  onRetry,
}: {
  incident: Incident;
  story: Story | undefined;
  error: Error | undefined;
  onRetry: () => void;
}) {
  const [selected, setSelected] = useState<string | null>(null);
  const sources = useMemo(() => alertSources(story, incident), [story, incident]);
  const timeline = useMemo(() => timelineOf(story), [story]);
  const storyAlertIds = useMemo(
    () => story?.nodes.map((n) => alertIdOf(n.id)).filter((id): id is string => id !== null),
    [story],
  );
  const domains = useMemo(() => storyDomains(sources, storyAlertIds), [sources, storyAlertIds]);
  const types = useMemo(() => [...new Set(story?.nodes.map((n) => n.type) ?? [])].filter((t) => t !== 'Alert').sort(), [story]);
  const severities = useMemo(() => {
    const present = new Set(story?.nodes.filter((n) => n.type === 'Alert').map((n) => n.severity ?? 'Informational'));
    return ['High', 'Medium', 'Low', 'Informational'].filter((s) => present.has(s));
  }, [story]);

  if (error) return <ErrorState error={error} onRetry={onRetry} />;
  if (!story) return <Loading what="Loading the attack story" />;
  if (story.nodes.length === 0) return <Empty>This incident has no alerts to draw.</Empty>;

  return (
    <div className="story-layout">
      <div className="story-main">
        <div className="story-legend" aria-label="Legend">
          <div className="legend-group" data-testid="story-domains">
            <span className="legend-title">Domains</span>
            {domains.map((d) => (
              <span key={d.domain} className="legend-item" title={`${d.count} alert${d.count === 1 ? '' : 's'}`}>
                <DomainBadge domain={d.domain} />
                <span className="muted small">{d.count}</span>
              </span>
            ))}
          </div>
          <div className="legend-group">
            <span className="legend-title">Alerts</span>
            {severities.map((s) => (
              <span key={s} className="legend-item">
                <span className={`legend-swatch sev-${s.toLowerCase()}`} aria-hidden="true" />
                {s}
              </span>
            ))}
          </div>
        </div>
        <div className="story-graph-area">
          <Suspense fallback={<Loading what="Drawing the graph" />}>
            <StoryGraph story={story} sources={sources} selectedId={selected} onSelect={setSelected} />
          </Suspense>
          {selected && (
            <div className="details-overlay">
              <NodeDetails story={story} nodeId={selected} timeline={timeline} sources={sources} onSelect={setSelected} />
            </div>
          )}
        </div>
        <div className="story-legend story-legend-below">
          <div className="legend-group">
            <span className="legend-title">Entities</span>
            {types.map((t) => (
              <span key={t} className="legend-item">
                <TypeIcon type={t} size={14} />
                {typeLabel(t)}
              </span>
            ))}
          </div>
        </div>
        <p className="muted small graph-hint">
          Click a node for its details and full name; drag to pan, scroll to zoom (file, process and registry names show
          when zoomed in). Edges are labelled with their relation.
        </p>
      </div>
      <aside className="story-side">
        {selected && (
          <NodeDetails story={story} nodeId={selected} timeline={timeline} sources={sources} onSelect={setSelected} />
        )}
        <section className="panel story-timeline" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          {timeline.length === 0 ? (
            <p className="muted">No timeline.</p>
          ) : (
            <ol className="timeline">
              {timeline.map((entry) => {
                const nodeId = alertNodeId(entry.alertId);
                return (
                  <li key={entry.alertId} className={selected === nodeId ? 'is-selected' : undefined}>
                    <div className="timeline-meta">
                      <Time value={entry.time} />
                      <SeverityBadge severity={entry.severity} />
                      {entry.source && <DomainBadge domain={entry.source} />}
                    </div>
                    <button
                      type="button"
                      className="link-button timeline-title"
                      aria-pressed={selected === nodeId}
                      onClick={() => setSelected(selected === nodeId ? null : nodeId)}
                    >
                      {entry.title}
                    </button>
                    <div className="muted small">
                      {humanize(entry.category)} · {entry.detectionSource}
                    </div>
                    {entry.reason && <div className="timeline-reason small">{entry.reason}</div>}
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      </aside>
    </div>
  );
}
