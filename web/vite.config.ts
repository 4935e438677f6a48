/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The built app is served by `catachess serve` from web/dist: hashed asset names
// (long cache), index.html never cached. No CDN: everything is bundled.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, assetsDir: 'assets' },
  server: { proxy: { '^/(auth|users|nodes|workspaces|trash|studies|share-links|exports|events|discussions|health|ready|metrics)': 'http://127.0.0.1:8000' } },
  test: { include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'], environment: 'node' },
});
