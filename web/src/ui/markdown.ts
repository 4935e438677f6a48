// Descriptions are Markdown written by users: rendered with markdown-it with raw HTML off
// (any tag is shown as text, never parsed), links limited to markdown-it's safe schemes
// (no javascript:, vbscript:, file:, and data: only for images), and every link opening
// in a new tab without access to this page (rel="noopener noreferrer nofollow").

import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });

const renderLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('target', '_blank');
  tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  return renderLinkOpen(tokens, idx, options, env, self);
};

// Images would let a description make every reader's browser fetch from anywhere.
md.disable('image');

/** HTML for a Markdown text; safe to put into the page as it is. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
