// The "About" tab: the study's and the chapter's descriptions (Markdown, rendered without
// raw HTML; editors edit them with If-Match) and the chapter's PGN tags (editors add,
// change and remove them; the API's refusal is shown next to the form, edits kept).

import { useMemo, useState } from 'preact/hooks';
import { Submission } from '../../actions';
import { useMarkdown } from '../../ui/useMarkdown';
import type { StudyCtrl } from '../ctrl';
import { FormError } from '../../pages/picker';
import { headerChanges, MANAGED_TAGS, type TagRow } from './metaCtrl';

const SEVEN = ['Event', 'Site', 'Date', 'Round', 'White', 'Black', 'Result'];

function Markdown({ text, empty }: { text: string; empty: string }) {
  const html = useMarkdown(text);
  if (!text.trim()) return <p class="muted">{empty}</p>;
  // Until the renderer is there, the text itself (as text).
  if (html === null) return <div class="markdown pending">{text}</div>;
  // Safe: markdown-it runs with html off, so no tag a user typed reaches the DOM (ui/markdown.ts).
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

function Description({
  which,
  text,
  canEdit,
  save,
}: {
  which: 'study' | 'chapter';
  text: string;
  canEdit: boolean;
  save: (text: string, submission: Submission) => Promise<string | null>;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [preview, setPreview] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submission = useMemo(() => new Submission(), []);
  if (draft === null) {
    return (
      <div class={`description ${which}-description`}>
        <Markdown text={text} empty={which === 'study' ? 'No description of the study.' : 'No description of this chapter.'} />
        {canEdit && (
          <button
            type="button"
            class="link edit-description"
            onClick={() => {
              setDraft(text);
              setPreview(false);
              setError(null);
            }}
          >
            {text.trim() ? 'Edit' : 'Add a description'}
          </button>
        )}
      </div>
    );
  }
  return (
    <form
      class={`description-editor ${which}-description-editor`}
      onSubmit={async (e) => {
        e.preventDefault();
        setSaving(true);
        const failed = await save(draft, submission);
        setSaving(false);
        setError(failed);
        if (!failed) setDraft(null);
      }}
    >
      <div class="segmented">
        <button type="button" class={preview ? '' : 'on'} onClick={() => setPreview(false)}>
          Write
        </button>
        <button type="button" class={preview ? 'on' : ''} onClick={() => setPreview(true)}>
          Preview
        </button>
      </div>
      {preview ? (
        <div class="description-preview">
          <Markdown text={draft} empty="Nothing to preview." />
        </div>
      ) : (
        <textarea
          name="description"
          rows={6}
          value={draft}
          placeholder="Markdown: **bold**, *italic*, [links](https://…), lists. HTML is shown as text."
          onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
        />
      )}
      <FormError error={error} />
      <div class="buttons">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={() => setDraft(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Tags({ ctrl }: { ctrl: StudyCtrl }) {
  const chapter = ctrl.chapter!;
  const [rows, setRows] = useState<TagRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submission = useMemo(() => new Submission(), []);
  const headers = chapter.headers;
  const canEdit = ctrl.canEdit;
  if (rows === null) {
    return (
      <div class="tags">
        <table class="tag-table">
          <tbody>
            {headers.map(([tag, value]) => (
              <tr key={tag} data-tag={tag}>
                <th>{tag}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {canEdit && (
          <button
            type="button"
            class="link edit-tags"
            onClick={() => {
              setRows(headers.map(([tag, value]) => ({ tag, value })));
              setError(null);
            }}
          >
            Edit tags
          </button>
        )}
      </div>
    );
  }
  const set = (i: number, change: Partial<TagRow>) => setRows(rows.map((row, j) => (i === j ? { ...row, ...change } : row)));
  const known = new Set(headers.map(([tag]) => tag));
  const changes = headerChanges(headers, rows);
  return (
    <form
      class="tag-editor"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!Object.keys(changes).length) {
          setRows(null);
          return;
        }
        setSaving(true);
        const failed = await ctrl.meta.saveHeaders(changes, submission);
        setSaving(false);
        setError(failed);
        if (!failed) setRows(null);
      }}
    >
      <table class="tag-table">
        <tbody>
          {rows.map((row, i) => {
            const managed = MANAGED_TAGS.has(row.tag);
            const isNew = !known.has(row.tag) || i >= headers.length;
            return (
              <tr key={i} data-tag={row.tag}>
                <th>
                  {isNew ? (
                    <input name="tag" aria-label="Tag name" value={row.tag} placeholder="Annotator" onInput={(e) => set(i, { tag: (e.target as HTMLInputElement).value })} />
                  ) : (
                    row.tag
                  )}
                </th>
                <td>
                  <input
                    name="value"
                    aria-label={`Value of ${row.tag || 'the new tag'}`}
                    value={row.value}
                    disabled={managed}
                    title={managed ? 'Set by the chapter’s start position' : undefined}
                    onInput={(e) => set(i, { value: (e.target as HTMLInputElement).value })}
                  />
                </td>
                <td>
                  {!managed && (
                    <button
                      type="button"
                      class="remove-tag"
                      title={SEVEN.includes(row.tag) ? 'Seven Tag Roster: the server keeps it (set it to ?)' : `Remove ${row.tag}`}
                      aria-label={`Remove ${row.tag || 'the new tag'}`}
                      onClick={() => setRows(rows.filter((_, j) => j !== i))}
                    >
                      ✕
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" class="link add-tag" onClick={() => setRows([...rows, { tag: '', value: '' }])}>
        + Add a tag
      </button>
      <FormError error={error} />
      <div class="buttons">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : `Save tags${Object.keys(changes).length ? ` (${Object.keys(changes).length} change${Object.keys(changes).length === 1 ? '' : 's'})` : ''}`}
        </button>
        <button type="button" onClick={() => setRows(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function About({ ctrl }: { ctrl: StudyCtrl }) {
  const study = ctrl.study!;
  const chapter = ctrl.chapter;
  const canEdit = ctrl.isEditor;
  return (
    <div class="about">
      <h3>The study</h3>
      <Description which="study" text={study.description ?? ''} canEdit={canEdit} save={(t, s) => ctrl.meta.saveStudyDescription(t, s)} />
      {chapter && (
        <>
          <h3>This chapter</h3>
          <Description key={chapter.id} which="chapter" text={chapter.description ?? ''} canEdit={canEdit} save={(t, s) => ctrl.meta.saveChapterDescription(t, s)} />
          <h3>Tags</h3>
          <Tags key={chapter.id} ctrl={ctrl} />
        </>
      )}
    </div>
  );
}
