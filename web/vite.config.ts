// Builds the console into dist/ (served as static files by `vigil serve --web DIR`).
// `npm run dev` proxies /api, /v1.0 and /oauth2 to a local `vigil serve --insecure-http`
// (VIGIL_API, default http://127.0.0.1:8080).
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const api = process.env.VIGIL_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
  },
  // Web workers of the hunting editor (src/pages/hunting/monacoSetup.ts, `?worker` imports):
  // Monaco's editor worker and the Kusto language service. Built as classic IIFE scripts: the
  // Kusto worker bundles Bridge.NET scripts written for script scope (`(function (n) {...})(this)`),
  // which the CommonJS conversion gives a global scope to; IIFE also runs in every browser
  // that runs the console, not only those with module workers.
  worker: { format: 'iife' },
  server: {
    proxy: { '/api': api, '/v1.0': api, '/oauth2': api },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
