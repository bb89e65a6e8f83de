// The renderer's build: root src-renderer, output out/renderer, relative asset paths so the same
// files load from file:// (Electron) and http:// (dive serve). CSS is emitted as files (no inline
// <style>) and there is no inline script, so a strict CSP (default-src 'self') holds.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [svelte({ compilerOptions: { css: 'external' } })],
  build: {
    outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)),
    emptyOutDir: true,
    // the polyfill would be the only inline-ish module code; every target here has modulepreload
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
    target: 'es2022',
  },
});
