// The attack story as a graph (cytoscape.js on a canvas): alerts and the entities they name,
// laid out by a force layout without randomness (same story, same picture). Selecting a node
// (click, or from the timeline beside it) shows its full label and fades what is not linked
// to it; the details are shown by the page. Fit and zoom buttons for the keyboard.
import cytoscape, { type Core, type LayoutOptions } from 'cytoscape';
import { useEffect, useRef } from 'react';
import type { Story } from '../../api/types';
import { DETAIL_ZOOM, colorsFrom, storyElements, storyStyle } from './storyElements';

export interface StoryGraphProps {
  story: Story;
  sources: Record<string, string>;
  selectedId: string | null;
  onSelect: (nodeId: string | null) => void;
}

const LAYOUT = {
  name: 'cose',
  randomize: false,
  animate: false,
  fit: false,
  nodeDimensionsIncludeLabels: true,
  idealEdgeLength: (edge: { hasClass: (c: string) => boolean }) => (edge.hasClass('chain') ? 90 : 45),
  edgeElasticity: (edge: { hasClass: (c: string) => boolean }) => (edge.hasClass('chain') ? 40 : 100),
  nodeRepulsion: () => 6000,
  nodeOverlap: 12,
  gravity: 0.3,
  numIter: 2000,
  componentSpacing: 40,
} as unknown as LayoutOptions;

function highlight(cy: Core, nodeId: string | null) {
  cy.batch(() => {
    cy.elements().removeClass('faded near');
    if (!nodeId) return;
    const node = cy.getElementById(nodeId);
    if (node.empty()) return;
    const near = node.closedNeighborhood();
    cy.elements().not(near).addClass('faded');
    near.addClass('near');
  });
}

export default function StoryGraph({ story, sources, selectedId, onSelect }: StoryGraphProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;
  const sourcesRef = useRef(sources);
  sourcesRef.current = sources;
  // Redraw only when what is drawn changes (not on every new but equal object).
  const sourcesKey = JSON.stringify(sources);

  useEffect(() => {
    if (!container.current) return;
    const colors = colorsFrom(container.current);
    const cy = cytoscape({
      container: container.current,
      elements: storyElements(story, sourcesRef.current, colors),
      style: storyStyle(colors),
      layout: { name: 'preset' },
      minZoom: 0.2,
      maxZoom: 3,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    // Lay the nodes out in the box less a margin for the labels, then fit: the picture fills the
    // view at about 1:1 so the labels stay readable.
    const width = container.current.clientWidth || 800;
    const height = container.current.clientHeight || 500;
    cy.layout({
      ...LAYOUT,
      boundingBox: { x1: 0, y1: 0, w: Math.max(300, width - 160), h: Math.max(200, height - 90) },
    } as LayoutOptions).run();
    cy.fit(undefined, 12);
    // Level of detail: minor labels and relations appear past DETAIL_ZOOM.
    let detailed: boolean | null = null;
    const onZoom = () => {
      const next = cy.zoom() >= DETAIL_ZOOM;
      if (next === detailed) return;
      detailed = next;
      cy.batch(() => {
        if (next) cy.elements().addClass('zoomed');
        else cy.elements().removeClass('zoomed');
      });
    };
    onZoom();
    cy.on('zoom', onZoom);
    cy.on('tap', (event) => {
      if (event.target === cy) onSelectRef.current(null);
      else if (event.target.isNode?.()) onSelectRef.current(event.target.id());
    });
    cyRef.current = cy;
    if (selectedRef.current) {
      cy.getElementById(selectedRef.current).select();
      highlight(cy, selectedRef.current);
    }
    // Keep the drawing sized to its box (window or side panel changes).
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => cy.resize());
    observer?.observe(container.current);
    return () => {
      observer?.disconnect();
      cy.destroy();
      cyRef.current = null;
    };
  }, [story, sourcesKey]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.$(':selected').unselect();
    if (selectedId) {
      const node = cy.getElementById(selectedId);
      node.select();
      // Bring a node picked from the timeline into view if it is outside.
      const box = node.renderedBoundingBox({});
      if (box.x2 < 0 || box.y2 < 0 || box.x1 > cy.width() || box.y1 > cy.height()) {
        cy.animate({ center: { eles: node } }, { duration: 200 });
      }
    }
    highlight(cy, selectedId);
  }, [selectedId]);

  const zoom = (factor: number) => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  };

  return (
    <div className="story-graph-wrap">
      <div
        ref={container}
        className="story-graph"
        data-testid="story-graph"
        role="img"
        aria-label={`Attack story graph: ${story.nodes.length} nodes, ${story.edges.length} links. The timeline lists the same alerts.`}
      />
      <div className="graph-tools" role="toolbar" aria-label="Graph view">
        <button type="button" className="btn btn-small" onClick={() => cyRef.current?.fit(undefined, 24)}>
          Fit to view
        </button>
        <button type="button" className="btn btn-small" onClick={() => zoom(1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" className="btn btn-small" onClick={() => zoom(0.8)} aria-label="Zoom out">
          −
        </button>
      </div>
    </div>
  );
}
