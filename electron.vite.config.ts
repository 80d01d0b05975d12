import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { preloadAppChunk } from './src-main/startup/preloadAppChunk';

// Entries are set explicitly: the product's layout (src-main, src-preload, src-renderer) is not
// electron-vite's default src/main, src/preload, src/renderer.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // zod is bundled rather than required from node_modules: bundled, its unused parts (every locale
      // but English's messages, the JSON-schema tools) are tree-shaken away instead of loaded at start.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: {
          // The Electron entry (imports 'electron').
          index: resolve(__dirname, 'src-main/index.ts'),
          // The browser host: the same core under plain Node, no 'electron' import anywhere.
          browser: resolve(__dirname, 'src-main/host/browserEntry.ts'),
          // Worker threads: each is its own entry, found at run time by workers/workerEntry.ts.
          intakeWorker: resolve(__dirname, 'src-main/webhooks/intakeWorker.ts'),
          intakeCheckpointWorker: resolve(__dirname, 'src-main/webhooks/intakeCheckpointWorker.ts'),
          contactsWorker: resolve(__dirname, 'src-main/contacts/contactsWorker.ts'),
          integrityWorker: resolve(__dirname, 'src-main/backup/integrityWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require anything but 'electron': bundle everything into one CJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [react(), preloadAppChunk()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
