/** The dvs benchmark runs end to end on small sensors, GPU and CPU in one run, with matching events. */
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_NAMES, parseBenchArgs } from '../bench/args.js';
import { dvsBench } from '../bench/dvs.js';
import { nodeHost } from '../bench/host-node.js';
import type { Row } from '../bench/scaling.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

describe('dvs benchmark', () => {
  it('is registered', () => {
    expect(BENCH_NAMES).toContain('dvs');
    expect(parseBenchArgs(['dvs', '--quick']).args.names).toEqual(['dvs']);
  });

  it('quick run on two small sensors: CPU and GPU rows per emulator with the same events', async () => {
    const rows: Row[] = [];
    const { table } = await dvsBench({ quick: true, sizes: [[40, 30], [64, 48]], frames: 5, gpu: await requireGpu(), host: nodeHost(), emit: (r) => rows.push(r), log: () => {} });
    expect(rows.length).toBe(2 * 2 * 2);
    for (const r of rows) {
      expect(r.bench).toBe('dvs');
      expect(r.events_match).toBe(true);
      expect(r.events as number).toBeGreaterThan(100);
      expect(r.frames_per_s as number).toBeGreaterThan(0);
      // events/s is events per video over seconds per video (both rounded to 4 digits).
      expect(Math.abs((r.events_per_s as number) / ((r.events as number) / (r.s_per_video as number)) - 1)).toBeLessThan(1e-3);
    }
    expect(rows.filter((r) => r.backend === 'gpu').length).toBe(4);
    expect(table).toContain('| 64 x 48 | noisy |');
  });
});
