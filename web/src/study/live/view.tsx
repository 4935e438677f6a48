// The live line of the study page: who is here (initials, name and chapter on hover),
// the connection, the last change someone else made, and the "follow" toggle.

import type { StudyCtrl } from '../ctrl';
import type { StudyLive, Viewer } from './live';

export function initials(name: string): string {
  const words = name.trim().split(/[\s._@-]+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}

/** A stable colour per person. */
function hue(id: string): number {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return Math.round(((h >>> 0) / 2 ** 32) * 12) * 30;
}

function ago(at: number): string {
  const s = Math.round((Date.now() - at) / 1000);
  return s < 5 ? 'just now' : s < 60 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

const STATE_TEXT = { connecting: 'connecting…', live: 'live', retrying: 'reconnecting…', ended: 'not live' };

function Avatar({ ctrl, viewer }: { ctrl: StudyCtrl; viewer: Viewer }) {
  const chapter = ctrl.study?.chapters.find((c) => c.id === viewer.chapter_id);
  const me = viewer.user_id === ctrl.me;
  const where = chapter ? `on “${chapter.name}”` : 'here';
  return (
    <li
      class={`viewer${me ? ' me' : ''}${viewer.chapter_id && viewer.chapter_id === ctrl.chapter?.id ? ' same-chapter' : ''}`}
      data-user={viewer.user_id}
      title={`${me ? 'You' : viewer.display_name} ${where}`}
      style={{ background: `hsl(${hue(viewer.user_id)} 45% 42%)` }}
    >
      {initials(viewer.display_name)}
      <span class="viewer-name">{me ? 'you' : viewer.display_name}</span>
    </li>
  );
}

export function LiveBar({ ctrl, live }: { ctrl: StudyCtrl; live: StudyLive }) {
  const { viewers, anonymous } = live.presence;
  const notice = live.notice;
  return (
    <div class={`live-bar live-${live.state}`} data-live={live.state}>
      <span class="live-dot" title={`Updates: ${STATE_TEXT[live.state]}`} />
      <ul class="presence" aria-label="Who is here">
        {viewers.map((v) => (
          <Avatar key={v.user_id} ctrl={ctrl} viewer={v} />
        ))}
        {anonymous > 0 && (
          <li class="viewer anonymous" title={`${anonymous} visitor(s) without an account`}>
            +{anonymous}
          </li>
        )}
      </ul>
      {notice && !live.ended && (
        <span class="live-notice" role="status">
          <b>{live.nameOf(notice.who)}</b> {notice.text} · {ago(notice.at)}
        </span>
      )}
      {live.state !== 'ended' && (
        <label class="follow" title="Jump to the moves other people play">
          <input type="checkbox" checked={live.follow} onChange={() => live.toggleFollow()} /> follow
        </label>
      )}
    </div>
  );
}
