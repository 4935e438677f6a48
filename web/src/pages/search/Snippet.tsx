import { type SnippetPart, snippetParts } from './query';

/** A snippet with its matched words in <mark>: text nodes only, never HTML from the API. */
export function Snippet({ text, highlights }: { text: string; highlights: [number, number][] }) {
  const parts: SnippetPart[] = snippetParts(text, highlights);
  return (
    <span class="snippet">
      {parts.map((part, i) => (part.mark ? <mark key={i}>{part.text}</mark> : part.text))}
    </span>
  );
}
