import { useController } from '../../ctrl';
import { atLeast, grantableRoles, type NodeRead, type Role, type Visibility } from '../../model';
import { currentUser } from '../../session';
import { Button, Modal } from '../../ui';
import { ShareCtrl } from './shareCtrl';

function RoleSelect({ value, roles, onChange, label }: { value: Role; roles: Role[]; onChange: (role: Role) => void; label: string }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value as Role)}>
      {roles.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

const VISIBILITIES: [Visibility, string, string][] = [
  ['private', 'Private', 'Only the people and links below.'],
  ['unlisted', 'Unlisted', 'Anyone with the address, with or without an account; listed nowhere.'],
  ['public', 'Public', 'Anyone, and listed on the public page.'],
];

/** Private / unlisted / public (admin), with the address to hand out. */
function VisibilityChoice({ ctrl }: { ctrl: ShareCtrl }) {
  const node = ctrl.current;
  const url = ctrl.publicUrl;
  // The choice being saved shows at once; a refusal puts the saved one back.
  const shown = ctrl.savingVisibility ?? node.visibility;
  return (
    <fieldset class="visibility" disabled={!atLeast(node.role, 'admin')}>
      <legend>Who can read it without an invitation</legend>
      {VISIBILITIES.map(([value, label, help]) => (
        <label key={value} class={`visibility-option${shown === value ? ' is-on' : ''}`}>
          <input type="radio" name="visibility" value={value} checked={shown === value} onChange={() => void ctrl.setVisibility(value)} />
          <span>
            <strong>{label}</strong> <span class="muted">{help}</span>
            {ctrl.savingVisibility === value && <span class="muted"> saving…</span>}
          </span>
        </label>
      ))}
      {ctrl.widerAbove && (
        <p class="visibility-note visibility-inherited">
          {ctrl.widerAbove.visibility === 'public' ? 'Public' : 'Unlisted'} through “{ctrl.widerAbove.name}” above, whatever is chosen here: a folder's choice covers everything in it.
        </p>
      )}
      {node.kind !== 'study' && !ctrl.widerAbove && <p class="muted visibility-note">A folder's choice covers everything in it.</p>}
      {ctrl.visibilityError && (
        <p class="form-error" role="alert">
          {ctrl.visibilityError}
        </p>
      )}
      {url && (
        <div class="inline-form visibility-url">
          <input class="link-url" name="visibility_url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} aria-label="Address for readers" />
          <Button onClick={() => void ctrl.copy(url)}>Copy link</Button>
        </div>
      )}
    </fieldset>
  );
}

export function ShareDialog({ node, onClose, onNodeChanged }: { node: NodeRead; onClose: () => void; onNodeChanged?: (node: NodeRead) => void }) {
  const ctrl = useController(() => new ShareCtrl(node, onNodeChanged), [node.id]);
  const roles = grantableRoles(node.role);
  const linkRoles = grantableRoles(node.role, true);
  const created = ctrl.createdLink;
  const createdUrl = created ? ctrl.linkUrl(created) : null;
  const me = currentUser()?.id;
  return (
    <Modal title={`Share “${node.name}”`} onClose={onClose} wide>
      <VisibilityChoice ctrl={ctrl} />
      <form
        class="inline-form share-add"
        onSubmit={(event) => {
          event.preventDefault();
          void ctrl.add();
        }}
      >
        <input name="share_email" type="email" required placeholder="E-mail of a person with an account" value={ctrl.email} onInput={(e) => ctrl.set('email', e.currentTarget.value)} />
        <RoleSelect label="Role" value={ctrl.role} roles={roles} onChange={(r) => ctrl.set('role', r)} />
        <Button kind="primary" type="submit" busy={ctrl.adding}>
          Share
        </Button>
      </form>
      {ctrl.addError && (
        <p class="form-error" role="alert">
          {ctrl.addError}
        </p>
      )}
      {ctrl.loading ? (
        <p class="muted">Loading…</p>
      ) : ctrl.loadError ? (
        <p class="form-error">{ctrl.loadError}</p>
      ) : (
        <>
          <h3>People</h3>
          <ul class="share-list">
            {ctrl.direct.map((s) => (
              <li key={s.user_id} class="share-row" data-email={s.email}>
                <span class="share-who">
                  <strong>{s.display_name}</strong>
                  {s.user_id === me ? ' (you)' : ''} <span class="muted">{s.email}</span>
                </span>
                {roles.includes(s.role) && s.user_id !== me ? (
                  <>
                    <RoleSelect label={`Role of ${s.email}`} value={s.role} roles={roles} onChange={(r) => void ctrl.changeRole(s, r)} />
                    <Button kind="link" onClick={() => void ctrl.revoke(s)}>
                      Remove
                    </Button>
                  </>
                ) : (
                  <span class={`badge role-${s.role}`}>{s.role}</span>
                )}
              </li>
            ))}
            {ctrl.inherited.map((s) => (
              <li key={`${s.user_id}-inherited`} class="share-row is-inherited" data-email={s.email}>
                <span class="share-who">
                  <strong>{s.display_name}</strong> <span class="muted">{s.email}</span>
                </span>
                <span class={`badge role-${s.role}`}>{s.role}</span>
                <span class="muted">inherited from a folder above</span>
              </li>
            ))}
          </ul>
          <h3>Share links</h3>
          <form
            class="inline-form link-create"
            onSubmit={(event) => {
              event.preventDefault();
              void ctrl.createLink();
            }}
          >
            <RoleSelect label="Link role" value={ctrl.linkRole} roles={linkRoles} onChange={(r) => ctrl.set('linkRole', r)} />
            <label class="inline-label">
              expires
              <input name="link_expiry" type="date" value={ctrl.linkExpiry} onInput={(e) => ctrl.set('linkExpiry', e.currentTarget.value)} />
            </label>
            <Button type="submit" busy={ctrl.creatingLink}>
              Create link
            </Button>
          </form>
          {ctrl.linkError && (
            <p class="form-error" role="alert">
              {ctrl.linkError}
            </p>
          )}
          {created && createdUrl && (
            <div class="link-created">
              <p>Anyone with an account who opens this link gets the {created.role} role. It is shown only now:</p>
              <div class="inline-form">
                <input class="link-url" readOnly value={createdUrl} onFocus={(e) => e.currentTarget.select()} />
                <Button onClick={() => void ctrl.copy(createdUrl)}>Copy link</Button>
              </div>
            </div>
          )}
          <ul class="share-list">
            {ctrl.links.map((link) => (
              <li key={link.id} class={`share-row${link.revoked_at ? ' is-revoked' : ''}`} data-link-id={link.id}>
                <span class={`badge role-${link.role}`}>{link.role}</span>
                <span class="muted">
                  created {new Date(link.created_at).toLocaleDateString()}
                  {link.expires_at ? `, expires ${new Date(link.expires_at).toLocaleDateString()}` : ', no expiry'}
                  {link.revoked_at ? ', revoked' : ''}
                </span>
                {!link.revoked_at && (
                  <Button kind="link" onClick={() => void ctrl.revokeLink(link)}>
                    Revoke
                  </Button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
