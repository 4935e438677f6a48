import type { ComponentChildren } from 'preact';
import { Button } from '../ui';
import type { PagedCtrl } from './paged';

/** A PagedCtrl's list: loading, the error, the empty message, the items, "More results". */
export function PagedList<T>({
  ctrl,
  label,
  listClass,
  empty,
  loading = 'Loading…',
  more = 'More results',
  children,
}: {
  ctrl: PagedCtrl<T>;
  label: string;
  listClass: string;
  empty: ComponentChildren;
  loading?: string;
  more?: string;
  children: (item: T, index: number) => ComponentChildren;
}) {
  return (
    <>
      {ctrl.loading ? (
        <p class="muted">{loading}</p>
      ) : ctrl.items.length === 0 ? (
        ctrl.error ? (
          <p class="form-error" role="alert">
            {ctrl.error}
          </p>
        ) : (
          <p class="muted empty">{empty}</p>
        )
      ) : (
        <ul class={listClass} aria-label={label}>
          {ctrl.items.map(children)}
        </ul>
      )}
      {ctrl.error && ctrl.items.length > 0 && (
        <p class="form-error" role="alert">
          {ctrl.error}
        </p>
      )}
      {ctrl.nextCursor && (
        <Button class="load-more" busy={ctrl.loadingMore} onClick={() => void ctrl.more()}>
          {more}
        </Button>
      )}
    </>
  );
}
