import { useController } from '../../ctrl';
import { paths } from '../../router';
import { Button, Link } from '../../ui';
import { AuthCtrl, type AuthMode } from './authCtrl';

export function AuthPage({ mode, next }: { mode: AuthMode; next?: string }) {
  const ctrl = useController(() => new AuthCtrl(mode, next), [mode, next]);
  const registering = mode === 'register';
  return (
    <section class="auth-card">
      <h1>{registering ? 'Create an account' : 'Log in'}</h1>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          void ctrl.submit();
        }}
      >
        <label>
          E-mail
          <input name="email" type="email" autocomplete="email" required value={ctrl.email} onInput={(e) => ctrl.set('email', e.currentTarget.value)} />
        </label>
        {registering && (
          <label>
            Display name
            <input name="display_name" autocomplete="nickname" required maxLength={100} value={ctrl.displayName} onInput={(e) => ctrl.set('displayName', e.currentTarget.value)} />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete={registering ? 'new-password' : 'current-password'}
            required
            minLength={registering ? 8 : 1}
            value={ctrl.password}
            onInput={(e) => ctrl.set('password', e.currentTarget.value)}
          />
        </label>
        {ctrl.error && (
          <p class="form-error" role="alert">
            {ctrl.error}
          </p>
        )}
        <Button kind="primary" type="submit" busy={ctrl.busy} disabled={ctrl.busy}>
          {registering ? 'Create account' : 'Log in'}
        </Button>
      </form>
      <p class="auth-switch">
        {registering ? (
          <>
            Already have an account? <Link href={paths.login(next)}>Log in</Link>
          </>
        ) : (
          <>
            New here? <Link href={paths.register(next)}>Create an account</Link>
          </>
        )}
      </p>
      <p class="auth-switch">
        Or read the <Link href={paths.public()}>public studies</Link>, no account needed.
      </p>
    </section>
  );
}
