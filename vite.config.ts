/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation gives the page SharedArrayBuffer, which carries the cancel flag to fit workers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  // h5wasm (HDF5 for .hspy files) is one 4.8 MB chunk, loaded only when such a file is opened
  build: { chunkSizeWarningLimit: 5000 },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60000,
  },
});
