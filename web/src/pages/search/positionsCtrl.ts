import { api } from '../../api';
import type { Page } from '../../model';
import { navigate, paths } from '../../router';
import { PagedCtrl } from '../paged';
import type { PositionHit } from './query';

export const PAGE_SIZE = 30;

/** /search/positions?fen=…: every move the caller may read that reaches the position. */
export class PositionsCtrl extends PagedCtrl<PositionHit> {
  fenInput: string;

  constructor(readonly fen: string) {
    super();
    this.fenInput = fen;
    if (fen.trim()) void this.load();
  }

  set(value: string): void {
    this.fenInput = value;
    this.changed();
  }

  submit(): void {
    if (this.fenInput.trim()) navigate(paths.positions(this.fenInput.trim()));
  }

  protected async fetchPage(cursor: string | null): Promise<Page<PositionHit>> {
    return (await api<Page<PositionHit>>('GET', '/search/positions', { query: { fen: this.fen.trim(), limit: PAGE_SIZE, cursor } })).data;
  }
}
