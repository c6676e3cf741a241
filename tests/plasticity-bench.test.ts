/** The plasticity benchmark runs end to end (CPU path; the GPU path is exercised by tests/plasticity.test.ts) and its rows follow the benchmark format. */
import { describe, expect, it } from 'vitest';
import { plasticityBench, plasticityBenchNetwork } from '../bench/plasticity.js';

describe('plasticity benchmark', () => {
  it('counts plastic synapses and reports updates per second', async () => {
    const { net, synapses } = plasticityBenchNetwork(40);
    const sparse = net.projections[1].weights;
    expect(synapses).toBe(40 * 20 + (sparse.kind === 'sparse' ? sparse.cols.length : Number.NaN));
    const rows: Record<string, unknown>[] = [];
    const host = { runtime: 'node', cpus: 2, cpuModel: 'test' } as Parameters<typeof plasticityBench>[0]['host'];
    const { table } = await plasticityBench({ quick: true, sizes: [40], gpu: null, host, emit: (r) => rows.push(r), log: () => {} });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ bench: 'plasticity', backend: 'cpu', inputs: 40, synapses, weights_equal_cpu: true });
    expect(rows[0].steps as number).toBeGreaterThanOrEqual(100);
    // Rounded to 4 significant digits, as wall_s is.
    const expected = (synapses * (rows[0].steps as number)) / (rows[0].wall_s as number);
    expect(Math.abs((rows[0].plastic_synapse_updates_per_s as number) / expected - 1)).toBeLessThan(2e-3);
    expect(table).toContain('| 40 |');
  });
});
