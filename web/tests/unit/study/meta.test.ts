// The pure parts of the study page's issue-16 features: the tag editor's PATCH body, the
// words of a copy's answer (split or not), and the export switches read from OpenAPI.

import { describe, expect, test } from 'vitest';
import { copyAnswer, headerChanges, switchesOf } from '../../../src/study/meta/metaCtrl';
import type { StudyImport } from '../../../src/study/tree/types';

describe('headerChanges', () => {
  const before: [string, string][] = [
    ['Event', 'Casual'],
    ['White', 'Anand'],
    ['Annotator', 'Me'],
    ['FEN', '8/8/8/8/8/8/8/K1k5 w - - 0 1'],
    ['SetUp', '1'],
  ];

  test('changed and new tags carry their value, removed ones null, FEN/SetUp never sent', () => {
    const rows = [
      { tag: 'Event', value: 'Casual' },
      { tag: 'White', value: 'Carlsen' },
      { tag: 'FEN', value: 'edited' },
      { tag: ' Opening ', value: 'Ruy Lopez' },
      { tag: '', value: 'ignored' },
    ];
    expect(headerChanges(before, rows)).toEqual({ White: 'Carlsen', Opening: 'Ruy Lopez', Annotator: null });
  });

  test('nothing changed: nothing to send', () => {
    expect(headerChanges(before, before.map(([tag, value]) => ({ tag, value })))).toEqual({});
  });
});

describe('copyAnswer', () => {
  const study = (id: string, name: string, chapters: number) =>
    ({ id, name, chapters: Array.from({ length: chapters }, (_, i) => ({ id: `${id}${i}` })) }) as never;

  test('one study: where they went', () => {
    const result: StudyImport = { studies: [study('t', 'Target', 5)], game_count: 2, chapter_count: 2 };
    expect(copyAnswer(result, 'Copied')).toEqual({ text: 'Copied 2 chapters into “Target”.', links: [{ label: 'Target (5 chapters)', href: '/s/t' }] });
  });

  test('a split past 64 chapters names the further studies', () => {
    const result: StudyImport = { studies: [study('t', 'Target', 64), study('u', 'Target (2)', 6)], game_count: 10, chapter_count: 10 };
    const answer = copyAnswer(result, 'Moved');
    expect(answer.text).toBe('Moved 10 chapters into “Target”. A study holds at most 64 chapters, so 6 continued in 1 further study.');
    expect(answer.links.map((l) => l.href)).toEqual(['/s/t', '/s/u']);
  });
});

describe('switchesOf', () => {
  test('boolean and one-of-a-list query parameters of the study export, without mode', () => {
    const spec = {
      paths: {
        '/studies/{study_id}/pgn': {
          get: {
            parameters: [
              { name: 'study_id', in: 'path', schema: { type: 'string' } },
              { name: 'mode', in: 'query', schema: { enum: ['full', 'mainline'] } },
              { name: 'comments', in: 'query', description: 'keep comments', schema: { type: 'boolean', default: true } },
              { name: 'clocks', in: 'query', schema: { anyOf: [{ type: 'boolean' }, { type: 'null' }], default: false } },
              { name: 'headers', in: 'query', schema: { type: 'string', enum: ['all', 'seven'], default: 'all' } },
              { name: 'free', in: 'query', schema: { type: 'string' } },
              { name: 'orientation', in: 'query', schema: { $ref: '#/components/schemas/Side', default: 'white' } },
            ],
          },
        },
      },
      components: { schemas: { Side: { type: 'string', enum: ['white', 'black'] } } },
    };
    expect(switchesOf(spec)).toEqual([
      { name: 'comments', kind: 'boolean', choices: [], fallback: true, nullable: false, description: 'keep comments' },
      { name: 'clocks', kind: 'boolean', choices: [], fallback: false, nullable: false, description: '' },
      { name: 'headers', kind: 'choice', choices: ['all', 'seven'], fallback: 'all', nullable: false, description: '' },
      { name: 'orientation', kind: 'choice', choices: ['white', 'black'], fallback: 'white', nullable: false, description: '' },
    ]);
    expect(switchesOf({})).toEqual([]);
  });

  test('switches that may be left out (null: the mode decides) have no fallback of their own', () => {
    const spec = {
      paths: {
        '/studies/{study_id}/pgn': {
          get: {
            parameters: [
              { name: 'variations', in: 'query', description: 'every variation', schema: { anyOf: [{ type: 'boolean' }, { type: 'null' }] } },
              { name: 'headers', in: 'query', schema: { anyOf: [{ enum: ['all', 'roster'], type: 'string' }, { type: 'null' }] } },
            ],
          },
        },
      },
    };
    expect(switchesOf(spec)).toEqual([
      { name: 'variations', kind: 'boolean', choices: [], fallback: null, nullable: true, description: 'every variation' },
      { name: 'headers', kind: 'choice', choices: ['all', 'roster'], fallback: null, nullable: true, description: '' },
    ]);
  });
});
