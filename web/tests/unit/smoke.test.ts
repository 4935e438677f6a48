import { expect, test } from 'vitest';
import { Chess } from 'chessops/chess';
import { makeFen } from 'chessops/fen';

test('chessops gives the initial position', () => {
  expect(makeFen(Chess.default().toSetup())).toBe('rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1');
});
