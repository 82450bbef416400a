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

export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const [generation, setGeneration] = useState(0);
  const current = useRef(path);
  current.current = path;

  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setError(undefined);
    api
      .get<T>(path, controller.signal)
      .then((value) => {
        if (current.current === path) {
          setData(value);
          setLoading(false);
        }
      })
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        setError(e);
        setLoading(false);
      });
    return () => controller.abort();
  }, [path, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}
