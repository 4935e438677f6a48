// The header's breadcrumbs: a page says where it is, the header shows it.
import { useEffect } from 'preact/hooks';
import { api } from '../api';
import type { NodeRead } from '../model';
import { nodePath } from '../router';
import { store } from '../store';

export interface Crumb {
  label: string;
  href?: string;
  /** The node this crumb stands for (a drop target when a page moves nodes). */
  nodeId?: string;
}

const crumbs = store<Crumb[]>([]);

export function setCrumbs(next: Crumb[]): void {
  crumbs.set(next);
}

export function useCrumbs(): Crumb[] {
  return crumbs.use();
}

/** Set by a page that moves nodes by drag and drop: breadcrumbs become drop targets. */
export interface CrumbDrop {
  canDrop(nodeId: string): boolean;
  drop(nodeId: string): void;
}

export const crumbDrop = store<CrumbDrop | null>(null);

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
