// confirmDialog(...) resolves true when the person confirms, false otherwise.
import { useEffect, useState } from 'preact/hooks';
import { Button } from './Button';
import { Modal } from './Modal';

export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel?: string;
  danger?: boolean;
}

interface Pending extends ConfirmOptions {
  resolve: (ok: boolean) => void;
}

let pending: Pending | null = null;
const listeners = new Set<() => void>();

function publish(next: Pending | null): void {
  pending = next;
  for (const listener of listeners) listener();
}

export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  pending?.resolve(false);
  return new Promise((resolve) => publish({ ...options, resolve }));
}

function answer(ok: boolean): void {
  const current = pending;
  publish(null);
  current?.resolve(ok);
}

export function ConfirmHost() {
  const [current, setCurrent] = useState(pending);
  useEffect(() => {
    const listener = () => setCurrent(pending);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  if (!current) return null;
  return (
    <Modal
      title={current.title}
      onClose={() => answer(false)}
      footer={
        <>
          <Button onClick={() => answer(false)}>Cancel</Button>
          <Button kind={current.danger ? 'danger' : 'primary'} class="confirm-ok" onClick={() => answer(true)} autofocus>
            {current.confirmLabel ?? 'OK'}
          </Button>
        </>
      }
    >
      <p>{current.message}</p>
    </Modal>
  );
}
