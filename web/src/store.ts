// A value that components follow: set() re-renders every component that uses it.
import { useEffect, useState } from 'preact/hooks';

export interface Store<T> {
  get(): T;
  set(next: T): void;
  subscribe(listener: () => void): () => void;
  /** The current value; re-renders the component when it changes. */
  use(): T;
}

export function store<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  return {
    get: () => value,
    set(next: T) {
      value = next;
      for (const listener of listeners) listener();
    },
    subscribe,
    use() {
      const [, setTick] = useState(0);
      useEffect(() => subscribe(() => setTick((n) => n + 1)), []);
      return value;
    },
  };
}
