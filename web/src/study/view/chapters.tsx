// The chapter list: select, drag to reorder, rename, turn the board, delete; and the
// "add chapters" form (pasted or uploaded PGN, a FEN, or an empty board).

import { useRef, useState } from 'preact/hooks';
import type { StudyCtrl } from '../ctrl';
import type { ChapterSummary } from '../tree/types';

const START_FEN = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

function ChapterItem({ ctrl, chapter, dragged, setDragged }: {
  ctrl: StudyCtrl;
  chapter: ChapterSummary;
  dragged: string | null;
  setDragged: (id: string | null) => void;
}) {
  const [over, setOver] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const finished = useRef(false);
  const active = chapter.id === ctrl.chapter?.id;
  const edit = ctrl.canEdit;
  if (renaming) {
    const done = (name: string | null) => {
      // Enter unmounts the input, which fires blur: save once.
      if (finished.current) return;
      finished.current = true;
      setRenaming(false);
      if (name && name.trim() && name.trim() !== chapter.name) void ctrl.updateChapter(chapter.id, { name: name.trim() });
    };
    return (
      <li class="chapter active renaming" data-chapter={chapter.id}>
        <input
          class="chapter-rename"
          name="chapter-name"
          aria-label="Chapter name"
          value={chapter.name}
          ref={(el) => el?.focus()}
          onKeyDown={(e) => {
            if (e.key === 'Enter') done((e.target as HTMLInputElement).value);
            if (e.key === 'Escape') done(null);
          }}
          onBlur={(e) => done((e.target as HTMLInputElement).value)}
        />
      </li>
    );
  }
  return (
    <li
      class={`chapter${active ? ' active' : ''}${over ? ' drop' : ''}`}
      data-chapter={chapter.id}
      draggable={edit}
      onDragStart={(e) => {
        setDragged(chapter.id);
        e.dataTransfer?.setData('text/plain', chapter.id);
      }}
      onDragEnd={() => setDragged(null)}
      onDragOver={(e) => {
        if (!dragged || dragged === chapter.id) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (dragged && dragged !== chapter.id) void ctrl.updateChapter(dragged, { position: chapter.position });
        setDragged(null);
      }}
    >
      <button type="button" class="chapter-select" title={chapter.name} onClick={() => void ctrl.selectChapter(chapter.id)}>
        <span class="chapter-no">{chapter.position + 1}</span>
        <span class="chapter-name">{chapter.name}</span>
      </button>
      {edit && active && (
        <span class="chapter-tools">
          <button
            type="button"
            title="Rename"
            onClick={() => {
              finished.current = false;
              setRenaming(true);
            }}
          >
            ✎
          </button>
          <button
            type="button"
            title="Board orientation for everyone"
            onClick={() =>
              void ctrl.updateChapter(chapter.id, { orientation: chapter.orientation === 'white' ? 'black' : 'white' })
            }
          >
            ⇅
          </button>
          <button
            type="button"
            title="Delete chapter"
            class="danger"
            onClick={() => confirm(`Delete the chapter “${chapter.name}”?`) && void ctrl.deleteChapter(chapter.id)}
          >
            ✕
          </button>
        </span>
      )}
    </li>
  );
}

type Source = 'pgn' | 'fen' | 'empty';

function AddChapter({ ctrl, close }: { ctrl: StudyCtrl; close: () => void }) {
  const [source, setSource] = useState<Source>('pgn');
  const [pgn, setPgn] = useState('');
  const [fen, setFen] = useState('');
  const [name, setName] = useState('');
  const [orientation, setOrientation] = useState<'white' | 'black'>('white');
  const submit = async (e: Event) => {
    e.preventDefault();
    const named = name.trim() ? { name: name.trim() } : {};
    const body =
      source === 'pgn'
        ? { pgn, ...named, orientation }
        : { fen: source === 'fen' ? fen.trim() : START_FEN, ...named, orientation };
    // What the user typed stays in the form when the import fails.
    if (await ctrl.addChapters(body)) close();
  };
  const upload = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) setPgn(await file.text());
  };
  return (
    <form class="add-chapter" onSubmit={submit}>
      <div class="segmented">
        {(['pgn', 'fen', 'empty'] as Source[]).map((s) => (
          <button type="button" key={s} class={s === source ? 'on' : ''} onClick={() => setSource(s)}>
            {s === 'pgn' ? 'PGN' : s === 'fen' ? 'FEN' : 'Empty'}
          </button>
        ))}
      </div>
      {source === 'pgn' && (
        <>
          <textarea
            name="pgn"
            rows={6}
            placeholder="Paste PGN: one chapter per game"
            value={pgn}
            onInput={(e) => setPgn((e.target as HTMLTextAreaElement).value)}
          />
          <label class="file">
            or upload a .pgn file <input type="file" name="pgn-file" accept=".pgn,text/plain,application/x-chess-pgn" onChange={upload} />
          </label>
          <p class="hint">
            A study holds at most 64 chapters: games beyond that continue in new studies next to this one (“Name (2)”,
            …), linked here after the import.
          </p>
        </>
      )}
      {source === 'fen' && (
        <input name="fen" placeholder="FEN" value={fen} onInput={(e) => setFen((e.target as HTMLInputElement).value)} />
      )}
      <input
        name="name"
        placeholder={source === 'pgn' ? 'Name (one game only; else from the players)' : 'Name'}
        value={name}
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
      />
      <label>
        Orientation{' '}
        <select value={orientation} onChange={(e) => setOrientation((e.target as HTMLSelectElement).value as 'white' | 'black')}>
          <option value="white">White</option>
          <option value="black">Black</option>
        </select>
      </label>
      <div class="buttons">
        <button type="submit" disabled={ctrl.busy > 0}>
          {source === 'pgn' ? 'Import' : 'Add chapter'}
        </button>
        <button type="button" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function Chapters({ ctrl }: { ctrl: StudyCtrl }) {
  const [adding, setAdding] = useState(false);
  const [dragged, setDragged] = useState<string | null>(null);
  const chapters = ctrl.study?.chapters ?? [];
  return (
    <section class="chapters" aria-label="Chapters">
      <header>
        <h2>
          Chapters <span class="count">{chapters.length}/64</span>
        </h2>
        {ctrl.canEdit && !adding && (
          <button type="button" class="add" onClick={() => setAdding(true)} title="Add chapters">
            + Add
          </button>
        )}
      </header>
      {adding && <AddChapter ctrl={ctrl} close={() => setAdding(false)} />}
      <ol>
        {chapters.map((c) => (
          <ChapterItem key={c.id} ctrl={ctrl} chapter={c} dragged={dragged} setDragged={setDragged} />
        ))}
      </ol>
    </section>
  );
}
