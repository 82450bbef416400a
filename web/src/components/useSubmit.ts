// The state of a form's one request: busy while it runs, and the error message it ended with.
import { useCallback, useState } from 'react';

export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Runs `action`; a failure shows its message (or `describe`'s words for it).
  const run = useCallback(async (action: () => Promise<unknown>, describe: (e: Error) => string = (e) => e.message) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(describe(e as Error));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
