import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Live<T> {
  data: T | undefined;
  error: unknown;
  /** Loads again now (after an action changed what the page shows). */
  reload: () => void;
}

/**
 * Data from the API, loaded when `key` changes and again every `everyMs` while the tab is
 * visible: what keeps a progress bar moving while an activity delivers. A hidden tab asks nothing.
 */
export function useLive<T>(load: () => Promise<T>, key: string, everyMs: number): Live<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown }>({ key });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One chain of loads at a time: a tab shown again while a load runs waits for it.
    let loading = false;
    const tick = async () => {
      if (loading) return;
      clearTimeout(timer);
      loading = true;
      if (!document.hidden) {
        try {
          const data = await loadRef.current();
          if (stopped) return;
          setState({ key, data });
        } catch (error) {
          if (stopped) return;
          setState((previous) => ({ key, data: previous.key === key ? previous.data : undefined, error }));
        }
      }
      loading = false;
      if (!stopped) timer = setTimeout(tick, everyMs);
    };
    const onVisible = () => {
      if (!document.hidden) void tick();
    };
    document.addEventListener("visibilitychange", onVisible);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [key, everyMs, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, reload };
}
