// Short messages in a corner: errors show the problem's detail, never a blank failure.
import { ApiError } from '../api';
import { store } from '../store';

export type ToastKind = 'error' | 'info' | 'success';

interface ToastItem {
  id: number;
  message: string;
  kind: ToastKind;
}

const LIFETIME_MS: Record<ToastKind, number> = { error: 8000, info: 4000, success: 3000 };
const toasts = store<ToastItem[]>([]);
let nextId = 1;

export function notify(message: string, kind: ToastKind = 'info'): void {
  const id = nextId++;
  toasts.set([...toasts.get().filter((t) => t.message !== message), { id, message, kind }].slice(-4));
  setTimeout(() => dismiss(id), LIFETIME_MS[kind]);
}

/** The message a person should read for an error: the problem's detail for an API error. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function notifyError(error: unknown): void {
  notify(errorMessage(error), 'error');
}

export function dismiss(id: number): void {
  toasts.set(toasts.get().filter((t) => t.id !== id));
}

export function Toasts() {
  const items = toasts.use();
  return (
    <div class="toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`} data-kind={t.kind}>
          <span>{t.message}</span>
          <button type="button" class="toast-close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
