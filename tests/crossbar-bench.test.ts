/** The crossbar benchmark runs end to end on small arrays, GPU and CPU in one run, and its rows follow the benchmark format. */
import { afterAll, describe, expect, it } from 'vitest';
import { crossbarBench, crossbarTrafficBytes } from '../bench/crossbar.js';
import { nodeHost } from '../bench/host-node.js';
import type { Row } from '../bench/scaling.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

describe('crossbar benchmark', () => {
  it('traffic model: the GPU reads the matrix once per block of 4 vectors, the CPU twin once per vector', () => {
    expect(crossbarTrafficBytes('gpu', 64, 1)).toBe(8 * 64 * 64 + 16 * 64 + 4 * 64);
    expect(crossbarTrafficBytes('gpu', 64, 16)).toBe(4 * 8 * 64 * 64 + 4 * 16 * 64 + 4 * 64 * 16);
    expect(crossbarTrafficBytes('cpu', 64, 16)).toBe(16 * 8 * 64 * 64 + 8 * 64 * 16);
  });

  it('quick run: bandwidth row, then GPU and CPU rows per (N, batch) with matching outputs', async () => {
    const rows: Row[] = [];
    const { table } = await crossbarBench({ quick: true, sizes: [32, 70], batches: [1, 5], gpu: await requireGpu(), host: nodeHost(), emit: (r) => rows.push(r), log: () => {} });
    expect(rows[0].kind).toBe('bandwidth');
    const data = rows.slice(1);
    expect(data.length).toBe(2 * 2 * 2);
    for (const r of data) {
      expect(r.bench).toBe('crossbar');
      expect(r.outputs_match).toBe(true);
      expect(r.bw_fraction as number).toBeGreaterThan(0);
      expect(r.macs_per_s as number).toBeGreaterThan(0);
    }
    expect(table).toContain('| 70 x 70 | 5 |');
  });
});
