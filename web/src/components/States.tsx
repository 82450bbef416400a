// Loading, empty and error states: every view shows one of them instead of a blank area.
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const status = error instanceof ApiError && error.status ? ` (${error.status})` : '';
  return (
    <div className="state state-error" role="alert">
      <strong>Could not load{status}.</strong> {error.message}
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

// Renders the right state for a load; `children` only once data is there.
export function Loadable<T>({
  loaded,
  children,
  empty,
  what,
}: {
  loaded: { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void };
  children: (data: T) => ReactNode;
  empty?: (data: T) => ReactNode | null;
  what?: string;
}) {
  if (loaded.error) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (loaded.data === undefined) return <Loading what={what} />;
  const emptyView = empty?.(loaded.data);
  if (emptyView) return <Empty>{emptyView}</Empty>;
  return <>{children(loaded.data)}</>;
}

// A form's error line (nothing when there is none).
export function FormError({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}

// The state a list shows instead of its rows: the error, "loading" before the first data, or
// the `empty` message when given (false/null/undefined: none). null: show the rows.
export function listState(
  loaded: { data: unknown; error: Error | undefined; reload: () => void },
  what: string,
  empty?: ReactNode,
): ReactNode | null {
  if (loaded.error) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (loaded.data === undefined) return <Loading what={what} />;
  if (empty) return <Empty>{empty}</Empty>;
  return null;
}
