import { useEffect } from 'preact/hooks';
import { useController } from '../../ctrl';
import { setCrumbs } from '../../layout/crumbs';
import { paths } from '../../router';
import { useSession } from '../../session';
import { Icon, Link } from '../../ui';
import { PagedList } from '../PagedList';
import { PublicCtrl, type PublicStudy } from './publicCtrl';

/** The first lines of a Markdown description, as plain text (a teaser, not the page). */
export function teaser(markdown: string, max = 180): string {
  const text = markdown
    .replace(/[#>*_`~[\]()!|-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

function StudyCard({ study }: { study: PublicStudy }) {
  return (
    <li class="card public-study" data-node-id={study.id}>
      <Link href={paths.study(study.id)} class="card-link">
        <span class="card-icon">
          <Icon name="study" />
        </span>
        {study.name}
      </Link>
      {study.description && <p class="card-text muted">{teaser(study.description)}</p>}
      <span class="card-meta">
        <span class="badge" title="Stars">
          ★ {study.star_count}
        </span>
        <span class="muted">{new Date(study.created_at).toLocaleDateString()}</span>
      </span>
    </li>
  );
}

export function PublicPage({ order }: { order: 'newest' | 'stars' }) {
  const ctrl = useController(() => new PublicCtrl(order), [order]);
  const { user } = useSession();
  useEffect(() => setCrumbs([{ label: 'Public studies' }]), []);
  return (
    <section class="page public-page">
      <div class="page-head">
        <h1>Public studies</h1>
        <nav class="tabs-inline" aria-label="Order">
          <Link href={paths.public('newest')} class={`chip${order === 'newest' ? ' is-on' : ''}`} aria-current={order === 'newest' ? 'page' : undefined}>
            Newest
          </Link>
          <Link href={paths.public('stars')} class={`chip${order === 'stars' ? ' is-on' : ''}`} aria-current={order === 'stars' ? 'page' : undefined}>
            Most starred
          </Link>
        </nav>
      </div>
      <p class="muted">
        Studies their owners made public: anyone may read them, no account needed.
        {!user && (
          <>
            {' '}
            <Link href={paths.register()}>Create an account</Link> to keep your own.
          </>
        )}
      </p>
      <PagedList ctrl={ctrl} label="Public studies" listClass="cards" empty="No public study yet." more="Load more">
        {(study) => <StudyCard key={study.id} study={study} />}
      </PagedList>
    </section>
  );
}
