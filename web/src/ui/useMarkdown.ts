// User Markdown as HTML for a description (ui/markdown.ts: markdown-it with raw HTML off).
// The renderer (~41 KB gzipped) is its own chunk, loaded the first time a description is
// shown; until then (and for an empty text) this answers null.
import { useEffect, useState } from 'preact/hooks';

let markdown: Promise<(text: string) => string> | null = null;

export function useMarkdown(text: string): string | null {
  const [render, setRender] = useState<((text: string) => string) | null>(null);
  useEffect(() => {
    if (!text || render) return;
    markdown ??= import('./markdown').then((m) => m.renderMarkdown);
    let live = true;
    markdown.then((fn) => live && setRender(() => fn));
    return () => {
      live = false;
    };
  }, [!!text]);
  return text && render ? render(text) : null;
}
