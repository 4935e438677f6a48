import { ApiError, newAction, type UserAction } from './api';

/**
 * The Idempotency-Key of one thing a person does (a form, a dialog, a drop). Every submit
 * of it, a double click included, sends the same key, so the server does it once. After
 * it succeeded, or the server refused it (a 4xx stores no result), the next submit is a
 * new action; after a network failure it stays the same, since the first may have run.
 */
export class Submission {
  private current: UserAction = newAction();

  get action(): UserAction {
    return this.current;
  }

  settled(error?: unknown): void {
    const unknownOutcome = error instanceof ApiError && (error.status === 0 || error.status >= 500);
    if (!unknownOutcome) this.current = newAction();
  }
}
