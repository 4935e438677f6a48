// A page is a controller (state + the actions that call the API) and a view (a function
// of that state). Controllers extend Controller and call changed() after each change;
// useController re-renders the view then.
import { useEffect, useMemo, useState } from 'preact/hooks';

export abstract class Controller {
  private listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  protected changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Called when the view goes away (stop timers, ignore late answers). */
  dispose(): void {}
}

/** One controller per `deps`; a new one (and dispose of the old) when they change. */
export function useController<C extends Controller>(make: () => C, deps: unknown[]): C {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const ctrl = useMemo(make, deps);
  const [, setTick] = useState(0);
  useEffect(() => {
    const unsubscribe = ctrl.subscribe(() => setTick((n) => n + 1));
    // A controller starts its first request while the view renders, before this effect
    // subscribes: an answer that came back in between changed it unseen, so render once
    // more now (the settings page stayed on "Loading…" when the answer beat the effect).
    setTick((n) => n + 1);
    return () => {
      unsubscribe();
      ctrl.dispose();
    };
  }, [ctrl]);
  return ctrl;
}
