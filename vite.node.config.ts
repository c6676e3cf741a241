import { defineConfig } from 'vite';

// Builds the Node entry points (CLI, library, benchmarks, the GPU kit's parity runner) into
// dist/node. WGSL files are inlined through `?raw` imports; dependencies stay external
// (bench-browser.js loads vite and playwright).
export default defineConfig({
  build: {
    ssr: true,
    outDir: 'dist/node',
    target: 'node20',
    emptyOutDir: true,
    rollupOptions: {
      input: { cli: 'src/cli/main.ts', index: 'src/index.ts', bench: 'bench/main.ts', 'bench-browser': 'bench/browser/cli.ts', 'gpu-parity': 'bench/gpu-parity.ts', 'train-worker': 'src/train/parallel/worker.ts' },
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});
