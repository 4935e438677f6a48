// The study page's dialogs of issue 16: clone the study, copy or move chapters to another
// study, and export with options. Each keeps one Submission (Idempotency-Key) from opening
// to success, keeps what the person chose when the server refuses, and shows its detail.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { Submission } from '../../actions';
import { atLeast } from '../../model';
import { navigate, paths } from '../../router';
import { Browser, FormError, type Place } from '../../pages/picker';
import { Button, errorMessage, Modal } from '../../ui';
import type { StudyCtrl } from '../ctrl';
import { copyAnswer, type CopyAnswer, type ExportOptions, type ExportSwitch } from './metaCtrl';

/** One dialog's submit: one Submission (key) until it succeeds or is refused; the error shown. */
function useSubmit() {
  const submission = useMemo(() => new Submission(), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: (action: Submission['action']) => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work(submission.action);
      submission.settled();
    } catch (e) {
      submission.settled(e);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function Answer({ answer }: { answer: CopyAnswer | null }) {
  if (!answer) return null;
  return (
    <div class="copy-answer" role="status">
      <p>{answer.text}</p>
      <ul>
        {answer.links.map((l) => (
          <li key={l.href}>
            <a href={l.href}>{l.label}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Clone into a folder or workspace the caller may edit (a reader: into their own). */
export function CloneDialog({ ctrl, close }: { ctrl: StudyCtrl; close: () => void }) {
  const { busy, error, run } = useSubmit();
  const study = ctrl.study!;
  const [here, setHere] = useState<Place[]>([]);
  const [name, setName] = useState(study.name);
  const [discussions, setDiscussions] = useState(false);
  const target = here[here.length - 1];
  const allowed = !!target && atLeast(target.role, 'editor');
  const submit = () =>
    run(async (action) => {
      if (!target) return;
      const result = await ctrl.meta.clone(target.id, name === study.name ? '' : name, discussions, action);
      const answer = copyAnswer(result, 'Cloned');
      close();
      ctrl.tell(answer.text, 'info', answer.links);
      navigate(paths.study(result.studies[0].id));
    });
  return (
    <Modal title={`Clone “${study.name}”`} onClose={close} wide>
      <label class="field">
        Name of the copy
        <input name="clone-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <p class="muted">Into (a workspace or folder you may edit):</p>
      <Browser here={here} go={setHere} exclude={study.id} />
      <label class="check">
        <input type="checkbox" checked={discussions} onChange={(e) => setDiscussions((e.target as HTMLInputElement).checked)} /> copy the discussions too
      </label>
      <FormError error={error} />
      <div class="form-actions">
        <Button onClick={close}>Cancel</Button>
        <Button kind="primary" class="clone-here" busy={busy} disabled={!allowed} onClick={() => void submit()}>
          {target ? `Clone into “${target.name}”` : 'Choose a workspace or folder'}
        </Button>
      </div>
    </Modal>
  );
}

/** Copy or move some chapters of this study to the end of another study. */
export function CopyChaptersDialog({ ctrl, close }: { ctrl: StudyCtrl; close: () => void }) {
  const { busy, error, run } = useSubmit();
  const study = ctrl.study!;
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(ctrl.chapter ? [ctrl.chapter.id] : []));
  const [here, setHere] = useState<Place[]>([]);
  const [target, setTarget] = useState<Place | null>(null);
  const [move, setMove] = useState(false);
  const [discussions, setDiscussions] = useState(false);
  const [answer, setAnswer] = useState<CopyAnswer | null>(null);
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const submit = () =>
    run(async (action) => {
      if (!target || !chosen.size) return;
      const ids = study.chapters.filter((c) => chosen.has(c.id)).map((c) => c.id);
      const result = await ctrl.meta.copyChapters(target.id, ids, move, discussions, action);
      setAnswer(copyAnswer(result, move ? 'Moved' : 'Copied'));
    });
  if (answer) {
    return (
      <Modal title={move ? 'Chapters moved' : 'Chapters copied'} onClose={close} footer={<Button kind="primary" class="copy-done" onClick={close}>OK</Button>}>
        <Answer answer={answer} />
      </Modal>
    );
  }
  return (
    <Modal title="Copy or move chapters to another study" onClose={close} wide>
      <fieldset class="copy-chapters">
        <legend>
          Chapters ({chosen.size} of {study.chapters.length})
          <button type="button" class="btn-link" onClick={() => setChosen(new Set(chosen.size === study.chapters.length ? [] : study.chapters.map((c) => c.id)))}>
            {chosen.size === study.chapters.length ? 'none' : 'all'}
          </button>
        </legend>
        <ul>
          {study.chapters.map((c) => (
            <li key={c.id}>
              <label class="check">
                <input type="checkbox" name="chapter" value={c.id} checked={chosen.has(c.id)} onChange={() => toggle(c.id)} /> {c.position + 1}. {c.name}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <p class="muted">To the end of (a study you may edit):</p>
      <Browser here={here} go={setHere} studies picked={target?.id} pick={setTarget} exclude={study.id} />
      <label class="check">
        <input type="checkbox" name="move" checked={move} disabled={!ctrl.isEditor} onChange={(e) => setMove((e.target as HTMLInputElement).checked)} /> move them (they
        leave this study, with their discussions)
      </label>
      {!move && (
        <label class="check">
          <input type="checkbox" checked={discussions} onChange={(e) => setDiscussions((e.target as HTMLInputElement).checked)} /> copy their discussions too
        </label>
      )}
      <p class="muted">A study holds at most 64 chapters: what does not fit continues in new studies next to it.</p>
      <FormError error={error} />
      <div class="form-actions">
        <Button onClick={close}>Cancel</Button>
        <Button kind="primary" class="copy-here" busy={busy} disabled={!target || !chosen.size} onClick={() => void submit()}>
          {target ? `${move ? 'Move' : 'Copy'} ${chosen.size} to “${target.name}”` : 'Choose a study'}
        </Button>
      </div>
    </Modal>
  );
}

const MODES: [ExportOptions['mode'], string][] = [
  ['full', 'Full'],
  ['no_comments', 'No comments'],
  ['mainline', 'Main line'],
];

/** One export switch: a checkbox, or a choice (with "as the mode" when it may be left out). */
function SwitchField({ option: s, value, set }: { option: ExportSwitch; value: boolean | string | undefined; set: (v: boolean | string) => void }) {
  const label = (
    <>
      {s.name} {s.description && <span class="muted">— {s.description}</span>}
    </>
  );
  if (s.kind === 'boolean' && !s.nullable) {
    return (
      <label class="check" title={s.description}>
        <input type="checkbox" name={s.name} checked={(value ?? s.fallback) === true} onChange={(e) => set((e.target as HTMLInputElement).checked)} /> {label}
      </label>
    );
  }
  const choices: [string, string][] = s.kind === 'boolean' ? [['true', 'yes'], ['false', 'no']] : s.choices.map((c) => [c, c]);
  if (s.nullable) choices.unshift(['', 'as the mode says']);
  const current = value === undefined ? String(s.fallback ?? '') : String(value);
  return (
    <label class="field switch-field" title={s.description}>
      <span>{label}</span>
      <select name={s.name} value={current} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
        {choices.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Scope, mode and whatever switches this server's export offers (read from its OpenAPI). */
export function ExportDialog({ ctrl, close }: { ctrl: StudyCtrl; close: () => void }) {
  const [scope, setScope] = useState<ExportOptions['scope']>('study');
  const [mode, setMode] = useState<ExportOptions['mode']>('full');
  const [switches, setSwitches] = useState<ExportSwitch[] | null>(ctrl.meta.switches);
  const [values, setValues] = useState<Record<string, boolean | string>>({});
  const count = ctrl.study?.chapters.length ?? 0;
  useEffect(() => {
    if (!switches) void ctrl.meta.loadSwitches().then(setSwitches);
  }, []);
  const chosen = () => {
    // Only what differs from the server's default goes into the URL.
    const out: Record<string, boolean | string> = {};
    for (const s of switches ?? []) {
      const v = values[s.name];
      if (v === undefined || v === '' || v === s.fallback || v === String(s.fallback)) continue;
      out[s.name] = v;
    }
    return out;
  };
  return (
    <Modal
      title="Export PGN"
      onClose={close}
      footer={
        <>
          <Button onClick={close}>Close</Button>
          <Button kind="primary" class="export-download" onClick={() => void ctrl.meta.download({ scope, mode, switches: chosen() })}>
            Download
          </Button>
        </>
      }
    >
      <div class="export-dialog">
        <fieldset>
          <legend>What</legend>
          <label class="check">
            <input type="radio" name="scope" checked={scope === 'study'} onChange={() => setScope('study')} /> the whole study ({count} chapter{count === 1 ? '' : 's'})
          </label>
          <label class="check">
            <input type="radio" name="scope" checked={scope === 'chapter'} disabled={!ctrl.chapter} onChange={() => setScope('chapter')} /> this chapter
          </label>
          <label class="check">
            <input type="radio" name="scope" checked={scope === 'clip'} disabled={ctrl.at === null} onChange={() => setScope('clip')} /> this chapter from the current move
          </label>
        </fieldset>
        <fieldset>
          <legend>Mode</legend>
          {MODES.map(([m, label]) => (
            <label class="check" key={m}>
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} /> {label}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Options</legend>
          {switches === null && <p class="muted">Loading…</p>}
          {switches?.length === 0 && <p class="muted">This server offers no further options.</p>}
          {switches?.map((s) => (
            <SwitchField key={s.name} option={s} value={values[s.name]} set={(v) => setValues({ ...values, [s.name]: v })} />
          ))}
        </fieldset>
        <p class="muted">Discussions are never part of a PGN.</p>
      </div>
    </Modal>
  );
}
