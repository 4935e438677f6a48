// confirmDialog(...) resolves true when the person confirms, false otherwise.
import { store } from '../store';
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

const pending = store<Pending | null>(null);

export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  pending.get()?.resolve(false);
  return new Promise((resolve) => pending.set({ ...options, resolve }));
}

function answer(ok: boolean): void {
  const current = pending.get();
  pending.set(null);
  current?.resolve(ok);
}

export function ConfirmHost() {
  const current = pending.use();
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
