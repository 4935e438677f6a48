// A context menu at a point (right click, or a "⋯" button): openMenu(at, items).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { store } from '../store';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

interface OpenMenu {
  x: number;
  y: number;
  items: MenuItem[];
}

const open = store<OpenMenu | null>(null);

/** Show a menu at a viewport point, e.g. openMenu({ x: e.clientX, y: e.clientY }, items). */
export function openMenu(at: { x: number; y: number }, items: MenuItem[]): void {
  open.set({ x: at.x, y: at.y, items });
}

/** Show a menu under an element (for a "⋯" button). */
export function openMenuBelow(element: Element, items: MenuItem[]): void {
  const rect = element.getBoundingClientRect();
  openMenu({ x: rect.left, y: rect.bottom + 2 }, items);
}

export function closeMenu(): void {
  if (open.get()) open.set(null);
}

export function Menu({ x, y, items, onClose }: OpenMenu & { onClose: () => void }) {
  const box = useRef<HTMLUListElement>(null);
  const [pos, setPos] = useState({ x, y });
  useLayoutEffect(() => {
    // Keep the whole menu inside the viewport.
    const el = box.current;
    if (!el) return;
    const { width, height } = el.getBoundingClientRect();
    setPos({ x: Math.max(4, Math.min(x, innerWidth - width - 4)), y: Math.max(4, Math.min(y, innerHeight - height - 4)) });
  }, [x, y]);
  useEffect(() => {
    const onDown = (event: Event) => {
      if (!box.current?.contains(event.target as Node)) onClose();
    };
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    document.addEventListener('mousedown', onDown, true);
    document.addEventListener('keydown', onKey);
    window.addEventListener('blur', onClose);
    box.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
    return () => {
      document.removeEventListener('mousedown', onDown, true);
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('blur', onClose);
    };
  }, [onClose]);
  return (
    <ul class="menu" role="menu" ref={box} style={{ left: `${pos.x}px`, top: `${pos.y}px` }}>
      {items.map((item) => (
        <li key={item.label} role="none">
          <button
            type="button"
            role="menuitem"
            class={item.danger ? 'menu-danger' : ''}
            disabled={item.disabled}
            onClick={() => {
              onClose();
              item.onSelect();
            }}
          >
            {item.label}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function MenuHost() {
  const current = open.use();
  return current ? <Menu {...current} onClose={closeMenu} /> : null;
}
