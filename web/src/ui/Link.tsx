import type { ComponentChildren, JSX } from 'preact';
import { onLinkClick } from '../router';

type LinkProps = JSX.IntrinsicElements['a'] & { href: string; children?: ComponentChildren };

/** An in-app link: navigates without a reload. */
export function Link({ href, children, onClick, ...rest }: LinkProps) {
  return (
    <a
      href={href}
      onClick={(event) => {
        if (typeof onClick === 'function') onClick(event);
        onLinkClick(event, href);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}
