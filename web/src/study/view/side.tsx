// The panels beside the move list: the discussion of the current move and chapter, the
// study's activity feed with the chapter's history, and PGN downloads.

import { useState } from 'preact/hooks';
import { describeEvent, type StudyCtrl, type Tab } from '../ctrl';
import { HistoryPanel } from '../history/HistoryPanel';
import { About } from '../meta/About';
import type { PostRead, ReactionKind } from '../tree/types';

const REACTIONS: [ReactionKind, string][] = [
  ['+1', '👍'],
  ['-1', '👎'],
  ['heart', '❤️'],
  ['laugh', '😄'],
  ['eyes', '👀'],
  ['rocket', '🚀'],
  ['confused', '😕'],
];

function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

function ReplyForm({ ctrl, parent, done }: { ctrl: StudyCtrl; parent: string | null; done?: () => void }) {
  const [body, setBody] = useState('');
  return (
    <form
      class="reply-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (body.trim() && (await ctrl.reply(body, parent))) {
          setBody('');
          done?.();
        }
      }}
    >
      <textarea name="reply" rows={2} placeholder="Reply…" value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
      <button type="submit">Reply</button>
    </form>
  );
}

function Post({ ctrl, post, children }: { ctrl: StudyCtrl; post: PostRead; children: PostRead[] }) {
  const [replying, setReplying] = useState(false);
  const thread = ctrl.thread!;
  const counts = new Map(post.reactions.map((r) => [r.kind, r]));
  return (
    <li class="post" data-post={post.id}>
      <div class="post-meta">
        {ctrl.nameFor(post.author_id)} · {when(post.created_at)}
        {post.edited_at && ' · edited'}
      </div>
      <div class="post-body">{post.body}</div>
      <div class="reactions">
        {REACTIONS.map(([kind, emoji]) => {
          const r = counts.get(kind);
          if (!r && !ctrl.canDiscuss) return null;
          return (
            <button
              type="button"
              key={kind}
              class={`reaction${r?.mine ? ' mine' : ''}${r ? '' : ' zero'}`}
              disabled={!ctrl.canDiscuss}
              data-kind={kind}
              onClick={() => void ctrl.react(post.id, kind, r?.mine ?? false)}
            >
              {emoji}
              {r ? ` ${r.count}` : ''}
            </button>
          );
        })}
        {ctrl.canDiscuss && post.depth < 4 && (
          <button type="button" class="link" onClick={() => setReplying(!replying)}>
            reply
          </button>
        )}
      </div>
      {replying && <ReplyForm ctrl={ctrl} parent={post.id} done={() => setReplying(false)} />}
      {children.length > 0 && <PostTree ctrl={ctrl} posts={thread.posts} parent={post.id} />}
    </li>
  );
}

function PostTree({ ctrl, posts, parent }: { ctrl: StudyCtrl; posts: PostRead[]; parent: string | null }) {
  const mine = posts.filter((p) => p.parent_post_id === parent);
  return (
    <ul class="posts">
      {mine.map((p) => (
        <Post key={p.id} ctrl={ctrl} post={p} children={posts.filter((c) => c.parent_post_id === p.id)} />
      ))}
    </ul>
  );
}

function NewThread({ ctrl }: { ctrl: StudyCtrl }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [onMove, setOnMove] = useState(true);
  const move = ctrl.at && ctrl.tree?.nodes[ctrl.at];
  return (
    <form
      class="new-thread"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await ctrl.startThread(title, body, onMove)) {
          setTitle('');
          setBody('');
        }
      }}
    >
      <input name="title" placeholder="New discussion: title" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      <textarea name="body" rows={2} placeholder="What do you want to say?" value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
      {move && (
        <label class="check">
          <input type="checkbox" checked={onMove} onChange={(e) => setOnMove((e.target as HTMLInputElement).checked)} /> about{' '}
          {move.san}
        </label>
      )}
      <button type="submit" disabled={!title.trim() || !body.trim()}>
        Start discussion
      </button>
    </form>
  );
}

function Discussion({ ctrl }: { ctrl: StudyCtrl }) {
  const thread = ctrl.thread;
  if (thread) {
    return (
      <div class="thread">
        <button type="button" class="link" onClick={() => void ctrl.openThread(null)}>
          ← all discussions
        </button>
        <h3>{thread.title}</h3>
        <PostTree ctrl={ctrl} posts={thread.posts} parent={null} />
        {ctrl.canDiscuss && <ReplyForm ctrl={ctrl} parent={null} />}
      </div>
    );
  }
  const here = ctrl.threads.filter((t) => ctrl.at !== null && t.move_id === ctrl.at);
  const chapter = ctrl.threads.filter((t) => t.move_id === null);
  const elsewhere = ctrl.threads.length - here.length - chapter.length;
  const list = (items: typeof ctrl.threads) => (
    <ul class="threads">
      {items.map((t) => (
        <li key={t.id}>
          <button type="button" class="link" onClick={() => void ctrl.openThread(t.id)}>
            {t.pinned_at && '📌 '}
            {t.title}
          </button>
          <span class="muted">
            {' '}
            {t.post_count} post{t.post_count === 1 ? '' : 's'}
            {t.resolved_at && ' · resolved'}
          </span>
        </li>
      ))}
    </ul>
  );
  return (
    <div class="discussion">
      {ctrl.at !== null && (
        <>
          <h3>This move</h3>
          {here.length ? list(here) : <p class="muted">No discussion on this move.</p>}
        </>
      )}
      <h3>This chapter</h3>
      {chapter.length ? list(chapter) : <p class="muted">No discussion on the chapter.</p>}
      {elsewhere > 0 && <p class="muted">{elsewhere} more on other moves of this chapter.</p>}
      {ctrl.canDiscuss ? <NewThread ctrl={ctrl} /> : <p class="muted">Viewers read discussions; commenters take part.</p>}
    </div>
  );
}

function Activity({ ctrl }: { ctrl: StudyCtrl }) {
  return (
    <div class="activity">
      <h3>This chapter</h3>
      <ul class="feed">
        {ctrl.chapterEvents.map((e) => (
          <li key={e.event_id}>
            <span class="muted">{when(e.timestamp)}</span> {ctrl.nameFor(e.actor_id)} {describeEvent(e)}
          </li>
        ))}
        {ctrl.chapterEvents.length === 0 && <li class="muted">Nothing yet.</li>}
      </ul>
      <h3>The study</h3>
      <ul class="feed">
        {ctrl.activity.map((a) => (
          <li key={a.id}>
            <span class="muted">{when(a.occurred_at)}</span> {a.summary}
          </li>
        ))}
        {ctrl.activity.length === 0 && <li class="muted">Nothing yet.</li>}
      </ul>
    </div>
  );
}

const MODES: ['full' | 'no_comments' | 'mainline', string][] = [
  ['full', 'Full'],
  ['no_comments', 'No comments'],
  ['mainline', 'Main line'],
];

function Export({ ctrl }: { ctrl: StudyCtrl }) {
  return (
    <div class="export">
      <h3>Download PGN</h3>
      <table>
        <tbody>
          {(['study', 'chapter'] as const).map((kind) => (
            <tr key={kind}>
              <th>{kind === 'study' ? 'Whole study' : 'This chapter'}</th>
              <td>
                {MODES.map(([mode, label]) => (
                  <button type="button" key={mode} data-export={`${kind}-${mode}`} onClick={() => void ctrl.download(kind, mode)}>
                    {label}
                  </button>
                ))}
              </td>
            </tr>
          ))}
          <tr>
            <th>From this move</th>
            <td>
              <button type="button" data-export="clip" disabled={ctrl.at === null} onClick={() => void ctrl.download('clip', 'full')}>
                Clip
              </button>
            </td>
          </tr>
        </tbody>
      </table>
      <p class="muted">Discussions are never part of a PGN.</p>
    </div>
  );
}

const TABS: [Tab, string][] = [
  ['about', 'About'],
  ['discussion', 'Discussion'],
  ['activity', 'Activity'],
  ['history', 'History'],
  ['export', 'PGN'],
];

export function Side({ ctrl }: { ctrl: StudyCtrl }) {
  return (
    <section class="side-panels">
      <nav class="tabs" role="tablist">
        {TABS.map(([tab, label]) => (
          <button type="button" role="tab" key={tab} aria-selected={ctrl.tab === tab} class={ctrl.tab === tab ? 'on' : ''} onClick={() => ctrl.setTab(tab)}>
            {label}
            {tab === 'discussion' && ctrl.threads.length > 0 && <span class="badge">{ctrl.threads.length}</span>}
          </button>
        ))}
      </nav>
      <div class="tab-body">
        {ctrl.tab === 'discussion' && <Discussion ctrl={ctrl} />}
        {ctrl.tab === 'activity' && <Activity ctrl={ctrl} />}
        {ctrl.tab === 'history' && <HistoryPanel ctrl={ctrl} />}
        {ctrl.tab === 'about' && <About ctrl={ctrl} />}
        {ctrl.tab === 'export' && <Export ctrl={ctrl} />}
      </div>
    </section>
  );
}
