import { expect, test } from 'vitest';
import { parseRoute, paths, safeNext } from '../../src/router';

test('client routes parse to pages', () => {
  expect(parseRoute('/')).toEqual({ name: 'home' });
  expect(parseRoute('/n/abc')).toEqual({ name: 'node', nodeId: 'abc' });
  expect(parseRoute('/s/s1')).toEqual({ name: 'study', studyId: 's1' });
  expect(parseRoute('/s/s1/c1', '?move=m9')).toEqual({ name: 'study', studyId: 's1', chapterId: 'c1', moveId: 'm9' });
  expect(parseRoute('/trash')).toEqual({ name: 'trash' });
  expect(parseRoute('/invite/tok')).toEqual({ name: 'invite', token: 'tok' });
  expect(parseRoute('/login', '?next=%2Fn%2Fabc')).toEqual({ name: 'login', next: '/n/abc' });
  expect(parseRoute('/n/a/b')).toEqual({ name: 'notFound', path: '/n/a/b' });
});

test('paths build what parseRoute reads', () => {
  expect(parseRoute(paths.study('s', 'c', 'm').split('?')[0], '?move=m')).toEqual({ name: 'study', studyId: 's', chapterId: 'c', moveId: 'm' });
  expect(paths.login('/n/x')).toBe('/login?next=%2Fn%2Fx');
});

test('after login only a path of this app is followed', () => {
  expect(safeNext('/n/x')).toBe('/n/x');
  expect(safeNext('//evil.example')).toBeUndefined();
  expect(safeNext('https://evil.example')).toBeUndefined();
  expect(safeNext('/\\evil.example')).toBeUndefined();
});
