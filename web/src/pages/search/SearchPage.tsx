import { useEffect } from 'preact/hooks';
import { useController } from '../../ctrl';
import { setCrumbs } from '../../layout/crumbs';
import { Button, Link } from '../../ui';
import { PagedList } from '../PagedList';
import { HEADER_FILTERS, type HeaderFilter, KINDS, type SearchHit, hitHref, hitPlace, hitTitle } from './query';
import { SearchCtrl } from './searchCtrl';
import { Snippet } from './Snippet';

const FILTER_LABELS: Record<HeaderFilter, string> = {
  player: 'Player (White or Black)',
  white: 'White',
  black: 'Black',
  eco: 'ECO (e.g. B9)',
  result: 'Result',
  date_from: 'Played from',
  date_to: 'Played until',
};
const RESULTS = ['1-0', '0-1', '1/2-1/2', '*'];
const KIND_LABEL = Object.fromEntries(KINDS);

function FilterField({ ctrl, name }: { ctrl: SearchCtrl; name: HeaderFilter }) {
  const value = ctrl.form[name];
  const onInput = (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => ctrl.set(name, e.currentTarget.value);
  let input;
  if (name === 'result') {
    input = (
      <select name={name} value={value} onChange={onInput}>
        <option value="">any</option>
        {RESULTS.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
    );
  } else if (name === 'date_from' || name === 'date_to') {
    input = <input name={name} type="date" value={value} onInput={onInput} />;
  } else {
    input = <input name={name} value={value} onInput={onInput} maxLength={200} />;
  }
  return (
    <label class="filter-field">
      <span>{FILTER_LABELS[name]}</span>
      {input}
    </label>
  );
}

export function HitRow({ hit }: { hit: SearchHit }) {
  const place = hitPlace(hit);
  return (
    <li class="hit" data-kind={hit.kind}>
      <Link href={hitHref(hit)} class="hit-link">
        <span class="hit-head">
          <span class={`badge kind-${hit.kind}`}>{hit.kind}</span>
          <span class="hit-title">{hitTitle(hit)}</span>
        </span>
        {hit.snippet && hit.kind !== 'node' && <Snippet text={hit.snippet} highlights={hit.highlights} />}
        {place && <span class="hit-place muted">{place}</span>}
      </Link>
    </li>
  );
}

export function SearchPage({ search }: { search: string }) {
  const ctrl = useController(() => new SearchCtrl(search), [search]);
  useEffect(() => setCrumbs([{ label: 'Search' }]), []);
  const asked = ctrl.asked;
  const filtersOpen = HEADER_FILTERS.some((name) => asked[name]);
  return (
    <section class="page search-page">
      <form
        class="search-form"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          ctrl.submit();
        }}
      >
        <div class="inline-form">
          <input name="q" type="search" aria-label="Search words" placeholder='Words: berlin endgame, "a phrase", -exclude' value={ctrl.form.q} onInput={(e) => ctrl.set('q', e.currentTarget.value)} maxLength={500} />
          <Button kind="primary" type="submit">
            Search
          </Button>
        </div>
        {asked.under && (
          <p class="search-under">
            Only in <strong>{ctrl.underNode?.name ?? '…'}</strong>{' '}
            <button type="button" class="btn btn-link search-everywhere" onClick={() => ctrl.everywhere()}>
              search everywhere
            </button>
          </p>
        )}
        <div class="kind-filter" role="group" aria-label="Show">
          {KINDS.map(([kind, label]) => (
            <button type="button" key={kind} class={`chip${asked.kinds.includes(kind) ? ' is-on' : ''}`} aria-pressed={asked.kinds.includes(kind)} data-kind={kind} onClick={() => ctrl.toggleKind(kind)}>
              {label}
            </button>
          ))}
        </div>
        <details class="header-filters" open={filtersOpen}>
          <summary>Game filters (players, opening, result, dates)</summary>
          <div class="filter-grid">
            {HEADER_FILTERS.map((name) => (
              <FilterField key={name} ctrl={ctrl} name={name} />
            ))}
          </div>
          <div class="form-actions">
            <Button type="submit">Apply filters</Button>
          </div>
        </details>
      </form>
      {!ctrl.hasCriteria ? (
        <p class="muted empty">Type words, or fill in a game filter: names, games, comments and discussions of every study you may read.</p>
      ) : (
        <PagedList ctrl={ctrl} label="Results" listClass="hits" loading="Searching…" empty={`Nothing found${asked.kinds.length ? ` among ${asked.kinds.map((k) => KIND_LABEL[k].toLowerCase()).join(', ')}` : ''}.`}>
          {(hit, i) => <HitRow key={`${i}-${hit.kind}-${hit.node.id}-${hit.chapter?.id ?? ''}-${hit.move?.id ?? ''}-${hit.post_id ?? ''}`} hit={hit} />}
        </PagedList>
      )}
    </section>
  );
}
