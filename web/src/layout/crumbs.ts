// The header's breadcrumbs: a page says where it is, the header shows it.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { NodeRead } from '../model';
import { nodePath } from '../router';

export interface Crumb {
  label: string;
  href?: string;
  /** The node this crumb stands for (a drop target when a page moves nodes). */
  nodeId?: string;
}

let crumbs: Crumb[] = [];
const listeners = new Set<() => void>();

export function setCrumbs(next: Crumb[]): void {
  crumbs = next;
  for (const listener of listeners) listener();
}

export function useCrumbs(): Crumb[] {
  const [current, setCurrent] = useState(crumbs);
  useEffect(() => {
    const listener = () => setCurrent(crumbs);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return current;
}

export function crumbsOf(path: NodeRead[]): Crumb[] {
  return path.map((node) => ({ label: node.name, href: nodePath(node), nodeId: node.id }));
}

/** Fetch a node's breadcrumbs (GET /nodes/{id}/breadcrumbs) and show them; `extra`
 * crumbs go after it (e.g. the open chapter). For pages that only need the path. */
export function useNodeCrumbs(nodeId: string | null | undefined, extra: Crumb[] = []): void {
  const extraKey = JSON.stringify(extra);
  useEffect(() => {
    if (!nodeId) return;
    let live = true;
    api<{ items: NodeRead[] }>('GET', `/nodes/${nodeId}/breadcrumbs`)
      .then(({ data }) => live && setCrumbs([...crumbsOf(data.items), ...extra]))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [nodeId, extraKey]);
}
