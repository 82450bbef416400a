// Loads one API resource for a component: {data, error, loading, reload}. A new path cancels
// the request in flight; reload() fetches again (after a mutation).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './client';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

// Loads with `load` whenever `key` changes (null: nothing to load) or reload() is called; the
// previous load is aborted. The data stays while the next load runs.
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState<boolean>(key !== null);
  const [generation, setGeneration] = useState(0);
  const current = useRef(key);
  current.current = key;
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    if (key === null) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setError(undefined);
    loader
      .current(controller.signal)
      .then((value) => {
        if (current.current === key && !controller.signal.aborted) {
          setData(value);
          setLoading(false);
        }
      })
      .catch((e: Error) => {
        if (e.name === 'AbortError' || controller.signal.aborted) return;
        setError(e);
        setLoading(false);
      });
    return () => controller.abort();
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}

export function useApi<T>(path: string | null): Loaded<T> {
  return useLoad<T>(path, (signal) => api.get<T>(path!, signal));
}
