import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Everything is bundled into dist/: no CDN, no remote fonts. Tauri serves
// dist/ through its custom protocol under a strict CSP (tauri.conf.json).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  base: './',
  server: { port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'safari15',
    // Keep CSS in its own file: the CSP has no 'unsafe-inline' for styles.
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
