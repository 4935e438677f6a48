import { useEffect } from 'preact/hooks';
import { useController } from '../../ctrl';
import { setCrumbs } from '../../layout/crumbs';
import { paths } from '../../router';
import { Button, Link } from '../../ui';
import { PagedList } from '../PagedList';
import { PositionsCtrl } from './positionsCtrl';
import { type PositionHit, moveLabel, numberedLine } from './query';

/** The moves leading to the position, numbered; a long line keeps its last 16 moves. */
function lineText(hit: PositionHit): string {
  const shown = hit.line.slice(-16);
  const text = numberedLine(shown, hit.ply - shown.length + 1);
  return shown.length < hit.line.length ? `… ${text}` : text;
}

function PositionRow({ hit, here }: { hit: PositionHit; here: boolean }) {
  const place = hit.breadcrumb
    .filter((p) => p.id !== hit.study.id)
    .map((p) => p.name)
    .join(' / ');
  return (
    <li class="hit" data-study-id={hit.study.id} data-chapter-id={hit.chapter.id} data-move-id={hit.move_id ?? ''}>
      <Link href={paths.study(hit.study.id, hit.chapter.id, hit.move_id ?? undefined)} class="hit-link">
        <span class="hit-head">
          {here && <span class="badge here">you are here</span>}
          <span class="hit-title">
            {hit.study.name} › {hit.chapter.name} › {hit.move_id ? `after ${moveLabel(hit.ply, hit.san)}` : 'starting position'}
          </span>
        </span>
        {hit.line.length > 0 && <span class="hit-line">{lineText(hit)}</span>}
        {place && <span class="hit-place muted">{place}</span>}
      </Link>
    </li>
  );
}

export function PositionsPage({ fen, from }: { fen: string; from?: string }) {
  const ctrl = useController(() => new PositionsCtrl(fen), [fen]);
  useEffect(() => setCrumbs([{ label: 'Find a position' }]), []);
  return (
    <section class="page search-page positions-page">
      <div class="page-head">
        <h1>Where this position occurs</h1>
      </div>
      <p class="muted">Same pieces, side to move, castling rights and en-passant square, in every study you may read (move numbers ignored, so transpositions count).</p>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          ctrl.submit();
        }}
      >
        <input name="fen" aria-label="FEN" placeholder="FEN of a position" value={ctrl.fenInput} onInput={(e) => ctrl.set(e.currentTarget.value)} maxLength={120} />
        <Button kind="primary" type="submit">
          Find
        </Button>
      </form>
      {!fen.trim() ? (
        <p class="muted empty">Paste a FEN, or use “Find this position” under a study's board.</p>
      ) : (
        <PagedList ctrl={ctrl} label="Places" listClass="hits" loading="Searching…" empty="This position occurs nowhere you may read.">
          {(hit) => <PositionRow key={`${hit.chapter.id}-${hit.move_id ?? ''}`} hit={hit} here={from === `${hit.chapter.id}/${hit.move_id ?? ''}`} />}
        </PagedList>
      )}
    </section>
  );
}
