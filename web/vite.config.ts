import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  plugins: [solid(), tailwindcss()],
  resolve: {
    // Wire types shared with the server (imported with `import type` only).
    alias: { '@model': path.join(here, '..', 'src', 'model') },
  },
  build: {
    outDir: path.join(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:7655',
      '/ws': { target: 'ws://127.0.0.1:7655', ws: true },
    },
  },
});
