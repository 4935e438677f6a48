/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// API paths proxied to `catachess serve` by the dev server (`npm run dev`).
const API = '^/(auth|users|me|nodes|workspaces|trash|search|public/|notifications|studies|share-links|exports|events|discussions|health|ready|metrics|docs|openapi.json)';
// Paths that are both a page and an API route: a browser navigation gets the app.
const PAGES = /^\/(trash|search|search\/positions)(\?|$)/;

// The built app is served by `catachess serve` from web/dist: hashed asset names
// (long cache), index.html never cached. No CDN: everything is bundled.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, assetsDir: 'assets' },
  server: {
    proxy: {
      [API]: {
        target: 'http://127.0.0.1:8000',
        // As from catachess serve (webapp.py SHARED_PATHS).
        bypass: (req) => (PAGES.test(req.url ?? '') && req.headers.accept?.includes('text/html') ? '/index.html' : undefined),
      },
    },
  },
  test: { include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'], environment: 'node' },
});
