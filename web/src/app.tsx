// The route switch: which page, inside the layout; pages that need a session send a
// logged-out visitor to /login and back afterwards. A study or folder page opens without
// a session (public and unlisted ones are readable by anyone; the server answers 404 for
// the rest), as does the public listing.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Layout } from './layout/Layout';
import { setCrumbs } from './layout/crumbs';
import { AuthPage } from './pages/auth/AuthPage';
import { InvitePage } from './pages/invite/InvitePage';
import { NodePage } from './pages/node/NodePage';
import { PublicPage } from './pages/public/PublicPage';
import { PositionsPage } from './pages/search/PositionsPage';
import { SearchPage } from './pages/search/SearchPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { TrashPage } from './pages/trash/TrashPage';
import { WorkspacesPage } from './pages/workspaces/WorkspacesPage';
import { currentPath, navigate, openToAnonymous, paths, type Route, useRoute } from './router';
import { useSession } from './session';
import type { StudyPageProps } from './study/StudyPage';
import { ConfirmHost, Link, MenuHost, Toasts } from './ui';

export function App() {
  const route = useRoute();
  const { user } = useSession();
  const needsUser = !openToAnonymous(route);
  useEffect(() => {
    if (needsUser && !user) navigate(paths.login(currentPath()), { replace: true });
    if (!needsUser && user && (route.name === 'login' || route.name === 'register')) navigate(route.next ?? paths.home(), { replace: true });
  }, [needsUser, user, route]);
  useEffect(() => {
    if (route.name === 'login' || route.name === 'register' || route.name === 'notFound') setCrumbs([]);
  }, [route.name]);
  return (
    <>
      <Layout>{needsUser && !user ? null : <Page route={route} />}</Layout>
      <MenuHost />
      <ConfirmHost />
      <Toasts />
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <WorkspacesPage />;
    case 'login':
    case 'register':
      return <AuthPage mode={route.name} next={route.next} />;
    case 'node':
      return <NodePage key={route.nodeId} nodeId={route.nodeId} />;
    case 'study':
      return <LazyStudyPage studyId={route.studyId} chapterId={route.chapterId} moveId={route.moveId} threadId={route.threadId} />;
    case 'trash':
      return <TrashPage />;
    case 'invite':
      return <InvitePage token={route.token} />;
    case 'search':
      return <SearchPage key={route.search} search={route.search} />;
    case 'positions':
      return <PositionsPage key={route.fen} fen={route.fen} from={route.from} />;
    case 'public':
      return <PublicPage key={route.order} order={route.order} />;
    case 'settings':
      return <SettingsPage />;
    case 'notFound':
      return (
        <section class="page">
          <h1>Page not found</h1>
          <Link href={paths.home()}>Back to my workspaces</Link>
        </section>
      );
  }
}

// The study page (board, chessground, chessops) is its own chunk: the tree pages stay small.
let studyModule: Promise<ComponentType<StudyPageProps>> | null = null;

function LazyStudyPage(props: StudyPageProps) {
  const [Study, setStudy] = useState<ComponentType<StudyPageProps> | null>(null);
  useEffect(() => {
    studyModule ??= import('./study/StudyPage').then((m) => m.StudyPage);
    let live = true;
    studyModule.then((component) => live && setStudy(() => component));
    return () => {
      live = false;
    };
  }, []);
  return Study ? <Study {...props} /> : <p class="page muted">Loading the study…</p>;
}
