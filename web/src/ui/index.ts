// Small shared pieces: pages and the study page use these instead of their own.
export { Button } from './Button';
export { ConfirmHost, confirmDialog } from './confirm';
export type { ConfirmOptions } from './confirm';
export { Link } from './Link';
export { Menu, MenuHost, closeMenu, openMenu, openMenuBelow } from './Menu';
export type { MenuItem } from './Menu';
export { Modal } from './Modal';
export { Toasts, dismiss, errorMessage, notify, notifyError } from './Toast';
export type { ToastKind } from './Toast';
export { Icon } from './Icon';
export type { IconName } from './Icon';
