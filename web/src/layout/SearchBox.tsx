// The header's search box: "/" focuses it, suggestions as you type grouped by kind,
// ↑ ↓ to choose, Enter opens the suggestion or the full results page, Esc closes.
import { useEffect, useRef } from 'preact/hooks';
import { useController } from '../ctrl';
import { KINDS, type SearchHit, emptyFilters, hitHref, hitPlace, hitTitle, searchPath } from '../pages/search/query';
import { Snippet } from '../pages/search/Snippet';
import { MIN_CHARS, SuggestCtrl } from '../pages/search/suggestCtrl';
import { Link } from '../ui';

const KIND_LABEL = Object.fromEntries(KINDS);

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

function Suggestion({ hit, index, active, onChoose }: { hit: SearchHit; index: number; active: boolean; onChoose: () => void }) {
  const place = hitPlace(hit);
  return (
    <li role="option" id={`suggestion-${index}`} aria-selected={active} class={`suggestion${active ? ' is-active' : ''}`} data-kind={hit.kind}>
      <Link href={hitHref(hit)} tabIndex={-1} onClick={onChoose}>
        <span class="hit-title">{hitTitle(hit)}</span>
        {hit.kind !== 'node' && hit.snippet && <Snippet text={hit.snippet} highlights={hit.highlights} />}
        {place && <span class="hit-place muted">{place}</span>}
      </Link>
    </li>
  );
}

export function SearchBox() {
  const ctrl = useController(() => new SuggestCtrl(), []);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  const q = ctrl.text.trim();
  const showList = ctrl.open && q.length >= MIN_CHARS;
  let index = 0;
  return (
    <div class="search-box" role="search">
      <input
        ref={input}
        type="search"
        name="header-search"
        class="search-input"
        placeholder="Search ( / )"
        aria-label="Search names, games, comments and discussions"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls="search-suggestions"
        aria-activedescendant={ctrl.active >= 0 ? `suggestion-${ctrl.active}` : undefined}
        autocomplete="off"
        maxLength={500}
        value={ctrl.text}
        onInput={(e) => ctrl.input(e.currentTarget.value)}
        onFocus={() => ctrl.text && ctrl.input(ctrl.text)}
        // Late enough for a click on a suggestion to land first.
        onBlur={() => setTimeout(() => ctrl.close(), 150)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            ctrl.move(event.key === 'ArrowDown' ? 1 : -1);
          } else if (event.key === 'Enter') {
            event.preventDefault();
            ctrl.choose();
            input.current?.blur();
          } else if (event.key === 'Escape') {
            ctrl.close();
            input.current?.blur();
          }
        }}
      />
      {showList && (
        <div class="suggestions" onMouseDown={(e) => e.preventDefault()}>
          <ul id="search-suggestions" role="listbox" aria-label="Suggestions">
            {ctrl.groups.map(([kind, hits]) => (
              <li key={kind} role="presentation" class="suggestion-group">
                <span class="suggestion-kind">{KIND_LABEL[kind]}</span>
                <ul role="presentation">
                  {hits.map((hit) => {
                    const i = index++;
                    return <Suggestion key={i} hit={hit} index={i} active={ctrl.active === i} onChoose={() => ctrl.close(true)} />;
                  })}
                </ul>
              </li>
            ))}
          </ul>
          {ctrl.error ? (
            <p class="suggestion-note form-error">{ctrl.error}</p>
          ) : ctrl.loading && ctrl.groups.length === 0 ? (
            <p class="suggestion-note muted">Searching…</p>
          ) : !ctrl.loading && ctrl.groups.length === 0 ? (
            <p class="suggestion-note muted">No match yet.</p>
          ) : null}
          <Link href={searchPath({ ...emptyFilters(), q })} class={`suggestion-all${ctrl.active === -1 ? ' is-active' : ''}`} tabIndex={-1} onClick={() => ctrl.close(true)}>
            All results for “{q}” (Enter)
          </Link>
        </div>
      )}
    </div>
  );
}
