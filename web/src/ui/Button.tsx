import type { ComponentChildren, JSX } from 'preact';

type ButtonProps = Omit<JSX.IntrinsicElements['button'], 'kind'> & {
  kind?: 'primary' | 'danger' | 'plain' | 'link';
  busy?: boolean;
  children?: ComponentChildren;
};

/** A button; `busy` shows progress but does not block a second click (the action's
 * Idempotency-Key is what makes a repeated submit harmless). */
export function Button({ kind = 'plain', busy = false, type = 'button', class: cls, children, ...rest }: ButtonProps) {
  return (
    <button type={type} class={`btn btn-${kind}${busy ? ' is-busy' : ''}${cls ? ` ${cls}` : ''}`} aria-busy={busy} {...rest}>
      {children}
    </button>
  );
}
