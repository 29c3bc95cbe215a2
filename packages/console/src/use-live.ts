import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Live<T> {
  data: T | undefined;
  error: unknown;
  /** Loads again now (after an action changed what the page shows). */
  reload: () => void;
}

/**
 * Data from the API, loaded when `key` changes and again every `everyMs` until `settled(data)`:
 * what keeps a progress bar moving while an activity delivers, and still once it is done.
 */
export function useLive<T>(load: () => Promise<T>, key: string, everyMs: number, settled: (data: T) => boolean = () => false): Live<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown }>({ key });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const data = await loadRef.current();
        if (stopped) return;
        setState({ key, data });
        if (settled(data)) return;
      } catch (error) {
        if (stopped) return;
        setState((previous) => ({ key, data: previous.key === key ? previous.data : undefined, error }));
      }
      timer = setTimeout(tick, everyMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // `settled` is a predicate over the data, fixed per page.
  }, [key, everyMs, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, reload };
}
