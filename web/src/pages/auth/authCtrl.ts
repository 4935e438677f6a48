import { Controller } from '../../ctrl';
import { navigate, paths } from '../../router';
import { login, register } from '../../session';
import { errorMessage } from '../../ui';

export type AuthMode = 'login' | 'register';

/** Log-in and registration forms: the fields keep their values when the server refuses. */
export class AuthCtrl extends Controller {
  email = '';
  password = '';
  displayName = '';
  busy = false;
  error: string | null = null;

  constructor(
    readonly mode: AuthMode,
    readonly next: string | undefined,
  ) {
    super();
  }

  set(field: 'email' | 'password' | 'displayName', value: string): void {
    this[field] = value;
    this.changed();
  }

  async submit(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.changed();
    try {
      if (this.mode === 'register') await register(this.email.trim(), this.password, this.displayName.trim());
      else await login(this.email.trim(), this.password);
      navigate(this.next ?? paths.home(), { replace: true });
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = false;
      this.changed();
    }
  }
}
