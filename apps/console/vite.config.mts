import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The console is plain static files the api serves: hashed assets under /assets/, one index.html.
export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  build: {
    outDir: process.env.CONSOLE_OUT_DIR ?? `${here}../../dist/console`,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Chromium and Firefox support modulepreload natively; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
