/// <reference types="vitest/config" />

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API lives on the same origin as the client in production; in `npm run dev`
// these paths go to a backend on port 8002.
const backend = process.env.TMS_DEV_BACKEND ?? 'http://127.0.0.1:8002';
const apiPaths = [
  '/auth',
  '/users',
  '/sessions',
  '/join',
  '/assignments',
  '/attendance',
  '/progress',
  '/trainers',
  '/analytics',
  '/reports',
  '/audit',
  '/health',
  '/courses',
  '/modules',
  '/lessons',
  '/files',
  '/batches',
];

export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: {
      ...Object.fromEntries(apiPaths.map((path) => [path, { target: backend, changeOrigin: true }])),
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true, changeOrigin: true },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // Page tests render whole pages in jsdom: on a busy 2-core machine one can take several
    // seconds, which is load, not a failure.
    testTimeout: 20000,
  },
});
