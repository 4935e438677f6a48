// The node page's dialogs. Each keeps what the person typed when the server refuses,
// and one Submission (Idempotency-Key) from opening to success.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Submission } from '../../actions';
import { api } from '../../api';
import { atLeast, type NodeRead, type Page } from '../../model';
import { Button, errorMessage, Icon, Modal } from '../../ui';
import { Browser, FormError, type Place } from '../picker';
import type { NodeCtrl } from './nodeCtrl';

function useForm() {
  const submission = useMemo(() => new Submission(), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Run `work`; a second submit while the first runs sends the same key again. */
  const run = async (work: (s: Submission) => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work(submission);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return { submission, busy, error, run };
}

export function CreateDialog({ ctrl, kind }: { ctrl: NodeCtrl; kind: 'folder' | 'study' }) {
  const [name, setName] = useState(kind === 'folder' ? 'New folder' : 'New study');
  const form = useForm();
  const close = () => ctrl.open(null);
  return (
    <Modal title={kind === 'folder' ? 'New folder' : 'New study'} onClose={close}>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          void form.run((s) => ctrl.create(kind, name, s));
        }}
      >
        <label>
          Name
          <input name="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} onFocus={(e) => e.currentTarget.select()} />
        </label>
        <FormError error={form.error} />
        <div class="form-actions">
          <Button onClick={close}>Cancel</Button>
          <Button kind="primary" type="submit" busy={form.busy} class="create-submit">
            Create {kind}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

export function RenameDialog({ ctrl, node }: { ctrl: NodeCtrl; node: NodeRead }) {
  const [name, setName] = useState(node.name);
  const form = useForm();
  const close = () => ctrl.open(null);
  return (
    <Modal title={`Rename “${node.name}”`} onClose={close}>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          void form.run((s) => ctrl.rename(node, name, s));
        }}
      >
        <label>
          New name
          <input name="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} onFocus={(e) => e.currentTarget.select()} />
        </label>
        <FormError error={form.error} />
        <div class="form-actions">
          <Button onClick={close}>Cancel</Button>
          <Button kind="primary" type="submit" busy={form.busy}>
            Rename
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** Pick a destination folder by browsing the workspace's folders. */
export function MoveDialog({ ctrl, node }: { ctrl: NodeCtrl; node: NodeRead }) {
  const submission = useMemo(() => new Submission(), []);
  const [at, setAt] = useState<{ id: string; name: string }[]>(() => ctrl.path.map((n) => ({ id: n.id, name: n.name })));
  const [folders, setFolders] = useState<NodeRead[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const here = at[at.length - 1];
  const key = here?.id;
  useEffect(() => {
    if (!key) return;
    setFolders(null);
    api<Page<NodeRead>>('GET', `/nodes/${key}/children`, { query: { limit: 200 } })
      .then(({ data }) => setFolders(data.items.filter((c) => c.kind === 'folder' && c.id !== node.id)))
      .catch((e) => setError(errorMessage(e)));
  }, [key]);
  const close = () => ctrl.open(null);
  const moveHere = async () => {
    if (!here) return;
    setBusy(true);
    setError(null);
    const ok = await ctrl.move(node, here.id, submission.action);
    setBusy(false);
    if (!ok) setError(here.id === node.parent_id ? `“${node.name}” is already here.` : 'The move did not happen (see the message).');
  };
  return (
    <Modal title={`Move “${node.name}” to…`} onClose={close}>
      <nav class="move-path" aria-label="Destination">
        {at.map((crumb, i) => (
          <span key={crumb.id}>
            {i > 0 && ' / '}
            <button type="button" class="btn-link" onClick={() => setAt(at.slice(0, i + 1))}>
              {crumb.name}
            </button>
          </span>
        ))}
      </nav>
      {folders === null ? (
        <p class="muted">Loading…</p>
      ) : folders.length === 0 ? (
        <p class="muted">No folders here.</p>
      ) : (
        <ul class="move-folders">
          {folders.map((f) => (
            <li key={f.id}>
              <button type="button" class="move-folder" onClick={() => setAt([...at, { id: f.id, name: f.name }])}>
                <Icon name="folder" size={16} /> {f.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormError error={error} />
      <div class="form-actions">
        <Button onClick={close}>Cancel</Button>
        <Button kind="primary" class="move-here" busy={busy} disabled={!here || here.id === node.parent_id} onClick={() => void moveHere()}>
          Move to “{here?.name}”
        </Button>
      </div>
    </Modal>
  );
}

export function ImportDialog({ ctrl }: { ctrl: NodeCtrl }) {
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const form = useForm();
  const close = () => ctrl.open(null);
  return (
    <Modal title="Import a PGN file" onClose={close}>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!file) return;
          void form.run(async (s) => ctrl.importPgn(name || file.name.replace(/\.pgn$/i, ''), await file.text(), s));
        }}
      >
        <p class="muted">
          Each game becomes a chapter. A study holds at most 64 chapters: a file with more games is split into several studies (“Name (2)”, “Name (3)”, …).
        </p>
        <label>
          PGN file
          <input
            name="pgn_file"
            type="file"
            accept=".pgn,application/x-chess-pgn,text/plain"
            required
            onChange={(e) => {
              const chosen = e.currentTarget.files?.[0] ?? null;
              setFile(chosen);
              if (chosen && !name) setName(chosen.name.replace(/\.pgn$/i, ''));
            }}
          />
        </label>
        <label>
          Study name
          <input name="name" maxLength={200} value={name} placeholder="from the file name" onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <FormError error={form.error} />
        <div class="form-actions">
          <Button onClick={close}>Cancel</Button>
          <Button kind="primary" type="submit" busy={form.busy} disabled={!file}>
            Import
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/**
 * Duplicate a folder, with every live folder and study below it, into a workspace or folder
 * the caller may edit: never into itself (the picker leaves it out, so it cannot be entered).
 */
export function DuplicateDialog({ ctrl, node }: { ctrl: NodeCtrl; node: NodeRead }) {
  const [here, setHere] = useState<Place[]>([]);
  const [name, setName] = useState(node.name);
  const [discussions, setDiscussions] = useState(false);
  const form = useForm();
  const close = () => ctrl.open(null);
  const target = here[here.length - 1];
  const allowed = !!target && atLeast(target.role, 'editor');
  const submit = () => {
    if (!target) return;
    void form.run((s) => ctrl.duplicate(node, target.id, name === node.name ? '' : name, discussions, s));
  };
  return (
    <Modal title={`Duplicate “${node.name}”`} onClose={close} wide>
      <p class="muted">Copies the folder with every folder and study in it (chapters, descriptions and tags; not its sharing or stars).</p>
      <label class="field">
        Name of the copy
        <input name="duplicate-name" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <p class="muted">Into (a workspace or folder you may edit):</p>
      <Browser here={here} go={setHere} exclude={node.id} />
      <label class="check">
        <input type="checkbox" checked={discussions} onChange={(e) => setDiscussions(e.currentTarget.checked)} /> copy the discussions too
      </label>
      <FormError error={form.error} />
      <div class="form-actions">
        <Button onClick={close}>Cancel</Button>
        <Button kind="primary" class="duplicate-here" busy={form.busy} disabled={!allowed} onClick={submit}>
          {target ? `Duplicate into “${target.name}”` : 'Choose a workspace or folder'}
        </Button>
      </div>
    </Modal>
  );
}
