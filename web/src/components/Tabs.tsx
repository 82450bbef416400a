// Tabs (WAI-ARIA tablist): arrow keys move between tabs, Home/End go to the first/last one;
// only the selected tab is in the Tab order. useTab keeps the selected tab in ?tab= so a tab can
// be linked and survives a reload.
import { useCallback, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';

export interface TabSpec<T extends string = string> {
  id: T;
  label: ReactNode;
}

// The selected tab from ?tab= (`fallback` when absent or unknown; selecting it removes ?tab=).
export function useTab<T extends string>(ids: readonly T[], fallback: T): [T, (id: T) => void] {
  const [params, setParams] = useSearchParams();
  const current = params.get('tab') as T | null;
  const tab = current && ids.includes(current) ? current : fallback;
  const setTab = useCallback(
    (id: T) => {
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

export function Tabs<T extends string>({
  tabs,
  active,
  onChange,
  label,
  idPrefix,
  className,
}: {
  tabs: readonly TabSpec<T>[];
  active: T;
  onChange: (id: T) => void;
  label: string;
  idPrefix: string;
  className?: string;
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
    <div className={className ? `tabs ${className}` : 'tabs'} role="tablist" aria-label={label}>
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

export function TabPanel({
  idPrefix,
  active,
  children,
  className,
}: {
  idPrefix: string;
  active: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div role="tabpanel" id={`${idPrefix}-panel`} aria-labelledby={`${idPrefix}-tab-${active}`} className={className}>
      {children}
    </div>
  );
}
