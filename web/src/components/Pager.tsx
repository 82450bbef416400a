// Previous/next paging under a list: "51–100 of 1,234", optionally a page-size choice and
// extra status (children, e.g. "Updating…"). `page` counts from 0.
import type { ReactNode } from 'react';

export function Pager({
  page,
  pageSize,
  shown,
  total,
  hasNext,
  onPage,
  busy = false,
  unit = '',
  emptyText,
  sizes,
  onPageSize,
  sizeLabel = 'Per page',
  children,
}: {
  page: number;
  pageSize: number;
  // rows on this page
  shown: number;
  total?: number | null;
  hasNext: boolean;
  onPage: (page: number) => void;
  busy?: boolean;
  // before the range: "Rows " -> "Rows 1–50 of 120"
  unit?: string;
  // shown instead of the range when the page is empty
  emptyText?: string;
  sizes?: readonly number[];
  onPageSize?: (size: number) => void;
  sizeLabel?: string;
  children?: ReactNode;
}) {
  const from = page * pageSize + 1;
  const to = page * pageSize + shown;
  const hasTotal = total !== undefined && total !== null;
  const range =
    shown === 0
      ? (emptyText ?? 'Nothing to show')
      : `${unit}${from.toLocaleString()}–${to.toLocaleString()}${hasTotal ? ` of ${total.toLocaleString()}` : ''}`;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="btn btn-small" disabled={page === 0 || busy} onClick={() => onPage(page - 1)}>
        <span aria-hidden="true">‹ </span>Previous
      </button>
      <span className="muted" aria-live="polite">
        {range}
      </span>
      <button type="button" className="btn btn-small" disabled={!hasNext || busy} onClick={() => onPage(page + 1)}>
        Next<span aria-hidden="true"> ›</span>
      </button>
      {sizes && onPageSize && (
        <label className="pager-size">
          {sizeLabel}
          <select value={pageSize} onChange={(e) => onPageSize(Number(e.target.value))}>
            {sizes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}
      {children}
    </nav>
  );
}
