import { expect, test } from 'vitest';
import { openToAnonymous, parseRoute, paths, safeNext } from '../../src/router';

test('client routes parse to pages', () => {
  expect(parseRoute('/')).toEqual({ name: 'home' });
  expect(parseRoute('/n/abc')).toEqual({ name: 'node', nodeId: 'abc' });
  expect(parseRoute('/s/s1')).toEqual({ name: 'study', studyId: 's1' });
  expect(parseRoute('/s/s1/c1', '?move=m9')).toEqual({ name: 'study', studyId: 's1', chapterId: 'c1', moveId: 'm9' });
  expect(parseRoute('/s/s1/c1', '?move=m9&thread=t3')).toEqual({ name: 'study', studyId: 's1', chapterId: 'c1', moveId: 'm9', threadId: 't3' });
  expect(parseRoute('/trash')).toEqual({ name: 'trash' });
  expect(parseRoute('/invite/tok')).toEqual({ name: 'invite', token: 'tok' });
  expect(parseRoute('/login', '?next=%2Fn%2Fabc')).toEqual({ name: 'login', next: '/n/abc' });
  expect(parseRoute('/n/a/b')).toEqual({ name: 'notFound', path: '/n/a/b' });
  expect(parseRoute('/search', '?q=a&kind=node')).toEqual({ name: 'search', search: 'q=a&kind=node' });
  expect(parseRoute('/search/positions', '?fen=8%2F8+w')).toEqual({ name: 'positions', fen: '8/8 w' });
  expect(parseRoute('/public')).toEqual({ name: 'public', order: 'newest' });
  expect(parseRoute('/public', '?order=stars')).toEqual({ name: 'public', order: 'stars' });
  expect(parseRoute('/settings')).toEqual({ name: 'settings' });
});

test('paths build what parseRoute reads', () => {
  expect(parseRoute(paths.study('s', 'c', 'm').split('?')[0], '?move=m')).toEqual({ name: 'study', studyId: 's', chapterId: 'c', moveId: 'm' });
  expect(paths.login('/n/x')).toBe('/login?next=%2Fn%2Fx');
  const fen = 'rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1';
  const [path, search] = paths.positions(fen).split('?');
  expect(parseRoute(path, `?${search}`)).toEqual({ name: 'positions', fen });
  const [path2, search2] = paths.positions(fen, 'c1/m2').split('?');
  expect(parseRoute(path2, `?${search2}`)).toEqual({ name: 'positions', fen, from: 'c1/m2' });
  expect(parseRoute(paths.public('stars').split('?')[0], '?order=stars')).toEqual({ name: 'public', order: 'stars' });
});

test('only public reading pages open without an account', () => {
  expect(openToAnonymous(parseRoute('/s/s1'))).toBe(true);
  expect(openToAnonymous(parseRoute('/n/f1'))).toBe(true);
  expect(openToAnonymous(parseRoute('/public'))).toBe(true);
  for (const path of ['/', '/trash', '/search', '/search/positions', '/settings', '/invite/t']) expect(openToAnonymous(parseRoute(path))).toBe(false);
});

test('after login only a path of this app is followed', () => {
  expect(safeNext('/n/x')).toBe('/n/x');
  expect(safeNext('//evil.example')).toBeUndefined();
  expect(safeNext('https://evil.example')).toBeUndefined();
  expect(safeNext('/\\evil.example')).toBeUndefined();
});
