import { useMemo, useState } from 'preact/hooks';
import { api, newAction } from '../../api';
import { setCrumbs } from '../../layout/crumbs';
import type { NodeRead, Role } from '../../model';
import { navigate, nodePath } from '../../router';
import { Button, errorMessage } from '../../ui';

/** Accept a share link: the caller gets the link's role on its node, then opens it. */
export function InvitePage({ token }: { token: string }) {
  const action = useMemo(() => newAction(), [token]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useMemo(() => setCrumbs([{ label: 'Invitation' }]), []);
  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      const { data } = await api<{ node_id: string; role: Role }>('POST', `/share-links/${encodeURIComponent(token)}/accept`, { action });
      const node = await api<NodeRead>('GET', `/nodes/${data.node_id}`);
      navigate(nodePath(node.data), { replace: true });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="auth-card">
      <h1>You were invited</h1>
      <p>Someone shared a workspace, folder or study with you through this link.</p>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <Button kind="primary" class="accept-invite" busy={busy} onClick={() => void accept()}>
        Accept and open
      </Button>
    </section>
  );
}
