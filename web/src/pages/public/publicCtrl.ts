import { api } from '../../api';
import type { NodeRead, Page } from '../../model';
import { PagedCtrl } from '../paged';

export interface PublicStudy extends NodeRead {
  star_count: number;
}

export const PAGE_SIZE = 30;

/** GET /public/studies: the server's public studies, newest or most starred first. */
export class PublicCtrl extends PagedCtrl<PublicStudy> {
  constructor(readonly order: 'newest' | 'stars') {
    super();
    this.loading = true;
    void this.load();
  }

  protected async fetchPage(cursor: string | null): Promise<Page<PublicStudy>> {
    return (await api<Page<PublicStudy>>('GET', '/public/studies', { query: { order: this.order, limit: PAGE_SIZE, cursor } })).data;
  }
}
