// A workspace's or folder's description: Markdown rendered without raw HTML
// (ui/markdown.ts, loaded only when there is one), edited in place by editors.
import { useState } from 'preact/hooks';
import { Submission } from '../../actions';
import type { NodeRead } from '../../model';
import { Button, errorMessage } from '../../ui';
import { useMarkdown } from '../../ui/useMarkdown';
import type { NodeCtrl } from './nodeCtrl';

export const DESCRIPTION_MAX = 20_000;

export function Description({ ctrl, node }: { ctrl: NodeCtrl; node: NodeRead }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [submission] = useState(() => new Submission());
  const html = useMarkdown(node.description);
  const canEdit = ctrl.can.edit;

  if (editing) {
    return (
      <form
        class="description-form"
        onSubmit={async (event) => {
          event.preventDefault();
          setSaving(true);
          setError(null);
          try {
            await ctrl.describe(text, submission);
            setEditing(false);
          } catch (e) {
            setError(errorMessage(e));
          } finally {
            setSaving(false);
          }
        }}
      >
        <textarea name="description" rows={6} maxLength={DESCRIPTION_MAX} value={text} placeholder="Markdown: **bold**, _italic_, lists, [links](https://…)" onInput={(e) => setText(e.currentTarget.value)} />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="form-actions">
          <Button onClick={() => setEditing(false)}>Cancel</Button>
          <Button kind="primary" type="submit" busy={saving}>
            Save description
          </Button>
        </div>
      </form>
    );
  }
  if (!node.description && !canEdit) return null;
  return (
    <div class="description">
      {node.description ? (
        // Safe: markdown-it runs with html off, so no tag a user typed reaches the DOM.
        html !== null ? <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} /> : <p class="muted">…</p>
      ) : null}
      {canEdit && (
        <Button
          kind="link"
          class="edit-description"
          onClick={() => {
            setText(node.description);
            setError(null);
            setEditing(true);
          }}
        >
          {node.description ? 'Edit description' : 'Add a description'}
        </Button>
      )}
    </div>
  );
}
