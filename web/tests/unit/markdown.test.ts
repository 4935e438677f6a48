// Descriptions are rendered from user Markdown: nothing a user writes may become HTML
// that runs or fetches (a test per way in).

import { describe, expect, test } from 'vitest';
import { renderMarkdown } from '../../src/ui/markdown';

describe('renderMarkdown', () => {
  test('Markdown becomes HTML', () => {
    expect(renderMarkdown('# Title\n\n**bold** and *it*\n\n- a\n- b')).toBe(
      '<h1>Title</h1>\n<p><strong>bold</strong> and <em>it</em></p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n',
    );
  });

  test('a script tag is text, not an element', () => {
    const html = renderMarkdown('Hi <script>alert(1)</script>');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('HTML blocks and attributes with handlers are text', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)>\n\n<div onclick="x()">a</div>');
    expect(html).not.toMatch(/<img|<div/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  test('javascript: and data: links are not links', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'vbscript:x', 'data:text/html;base64,PHNjcmlwdD4=']) {
      expect(renderMarkdown(`[click](${url})`)).not.toContain('<a');
    }
  });

  test('links open in a new tab without access to the page', () => {
    expect(renderMarkdown('[lichess](https://lichess.org/study)')).toBe(
      '<p><a href="https://lichess.org/study" target="_blank" rel="noopener noreferrer nofollow">lichess</a></p>\n',
    );
  });

  test('images are not fetched: the syntax stays text', () => {
    expect(renderMarkdown('![x](https://example.com/t.png)')).not.toContain('<img');
  });
});
