/**
 * Bad arguments exit 2 even where the command would use the GPU and there is no adapter (exit 3):
 * the arguments are checked first. acquireGpu is replaced by one that finds no adapter.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/webgpu/device.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/webgpu/device.js')>();
  return { ...real, acquireGpu: async () => Promise.reject(new real.NoAdapterError('test: no adapter')) };
});

const { cliMain, EXIT } = await import('../src/cli/commands.js');

async function cli(...argv: string[]) {
  const err: string[] = [];
  const code = await cliMain(argv, { out: () => {}, err: (t) => err.push(t) });
  return { code, err: err.join('') };
}

describe('arguments are checked before the GPU is acquired', () => {
  it('convert, study, run: exit 2 with the problem, not 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-noadapter-'));
    const onnx = join(dir, 'm.onnx');
    writeFileSync(onnx, 'not really onnx');
    const cases: [string[], RegExp][] = [
      [['convert', '--backend', 'gpu', '--steps', '5,0'], /steps\[1\]: must be a positive integer, got "0"/],
      [['convert', '--backend', 'gpu', '--norm', 'model,max'], /norm: each entry must be one of none, model, data-max, data-p99.9, got "max"/],
      [['convert', '--onnx', join(dir, 'missing.onnx')], /convert: --onnx: no such file/],
      [['convert', '--images', '5000'], /--images: must be an integer in \[1, 1500\], got 5000/],
      [['convert', '--images', '0'], /--images: must be an integer in \[1, 1500\], got 0/],
      [['convert', '--images', '200', '--poisson-images', '300'], /--poisson-images: must be an integer in \[1, 200\], got 300/],
      [['convert', '--epochs', '0'], /--epochs: must be an integer >= 1, got 0/],
      [['energy', '--quick', '--images', '501'], /--images: must be an integer in \[1, 500\], got 501/],
      [['energy', '--images', '1501'], /--images: must be an integer in \[1, 1500\], got 1501/],
      [['convert', '--onnx', onnx, '--model', 'cnn'], /convert: --model does not apply with --onnx/],
      [['convert', '--onnx', onnx, '--epochs', '3'], /convert: --epochs does not apply with --onnx/],
      [['study', 'crossbar', '--backend', 'gpu', '--images', '5'], /study: --images applies to diehl-cook only/],
      [['run', 'cuba', '--duration', '1e300'], /run: --duration must be at most/],
      [['run', 'cuba', '--memory-budget', '-1'], /--memory-budget: must be/],
      [['run', 'cuba', '--out', onnx], /run: --out ".*m\.onnx" is a file; it must be a directory/],
      [['convert', '--out', onnx], /convert: --out ".*m\.onnx" is a file; it must be a directory/],
      [['energy', '--quick', '--out', onnx], /energy: --out ".*m\.onnx" is a file; it must be a directory/],
      [['study', 'crossbar', '--out', onnx], /study: --out ".*m\.onnx" is a file; it must be a directory/],
      [['lab', '--out', onnx], /lab: --out ".*m\.onnx" is a file; it must be a directory/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.usage);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    // With good arguments the missing adapter is what is reported.
    expect((await cli('run', 'code-lab-pattern-1', '--backend', 'gpu')).code).toBe(EXIT.noAdapter);
  });
});
