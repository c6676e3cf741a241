import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../src/cli/run.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { recordingBytes } from '../src/cli/stream.js';
import { readSpikeFile } from '../src/io/spike-file.js';
import { writeNetworkFile } from '../src/io/network-file.js';
import { Network } from '../src/model/network.js';

const root = mkdtempSync(join(tmpdir(), 'nm-stream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function small(): Network {
  const net = new Network({ dt: 0.1, seed: 4 });
  const drive = net.addSource('drive', 64, { kind: 'poisson', rate_hz: 50 });
  const e = net.addLIF('e', 320, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 2, receptors: { syn: { kind: 'exp_current', tau: 5 } } });
  net.connect(drive, e, { kind: 'fixed_indegree', k: 8, weight: 9 }, { delay: 1 });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.02, weight: 0.5 }, { delay: 3 });
  net.monitorSpikes(e);
  net.monitorSpikes(drive);
  net.monitorVoltage(e, [0, 1]);
  return net;
}

function networkFile(name: string): string {
  const path = join(root, `${name}.json`);
  writeFileSync(path, writeNetworkFile(small(), { name }));
  return path;
}

const quiet = { out: () => {}, err: () => {} };

describe('streamed recordings (neuromorph run --stream)', () => {
  it('write the same spikes.bin, traces.csv and statistics as the in-memory run', async () => {
    const file = networkFile('same');
    const a = await runCommand({ target: file, backend: 'cpu', duration_ms: 300, out: join(root, 'mem') }, quiet);
    const b = await runCommand({ target: file, backend: 'cpu', duration_ms: 300, out: join(root, 'stream'), stream: true }, quiet);
    expect(a.files).toContain('raster.svg');
    expect(b.files).toEqual(['traces.csv', 'spikes.bin', 'summary.json']);
    const binA = readFileSync(join(root, 'mem', 'spikes.bin'));
    const binB = readFileSync(join(root, 'stream', 'spikes.bin'));
    expect(binB.equals(binA)).toBe(true);
    expect(readSpikeFile(new Uint8Array(binB)).tables[0].steps.length).toBe(a.populations.e.spikes);
    expect(readFileSync(join(root, 'stream', 'traces.csv'), 'utf8')).toBe(readFileSync(join(root, 'mem', 'traces.csv'), 'utf8'));
    expect(b.populations).toEqual(a.populations);
    expect(b.synaptic_events).toBe(a.synaptic_events);
    expect(a.populations.e.spikes).toBeGreaterThan(100);
  });

  it('a run that throws mid-way leaves no scratch files, open descriptors or partial outputs, and disposes the simulation', async () => {
    const file = networkFile('fails');
    const out = join(root, 'fails');
    const run = CpuSimulation.prototype.run;
    let calls = 0;
    const runSpy = vi.spyOn(CpuSimulation.prototype, 'run').mockImplementation(async function (this: CpuSimulation, steps: number) {
      if (++calls === 2) throw new Error('test: the simulation failed at its second slice');
      return run.call(this, steps);
    });
    const disposeSpy = vi.spyOn(CpuSimulation.prototype, 'dispose');
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    try {
      await expect(runCommand({ target: file, backend: 'cpu', duration_ms: 300, out, stream: true }, quiet)).rejects.toThrow('test: the simulation failed at its second slice');
      expect(calls).toBe(2);
      expect(readdirSync(out)).toEqual([]);
      expect(fds()).toBe(before);
      expect(disposeSpy).toHaveBeenCalledTimes(1);
    } finally {
      runSpy.mockRestore();
      disposeSpy.mockRestore();
    }
  });

  it('start by themselves when the recordings would pass the memory budget; a bad budget is refused', async () => {
    const file = networkFile('budget');
    const need = recordingBytes(small(), 2000);
    const r = await runCommand({ target: file, backend: 'cpu', duration_ms: 200, out: join(root, 'auto'), memoryBudgetMiB: need / 2 / 2 ** 20 }, quiet);
    expect(r.files).toEqual(['traces.csv', 'spikes.bin', 'summary.json']);
    await expect(runCommand({ target: file, backend: 'cpu', duration_ms: 10, memoryBudgetMiB: -1 }, quiet)).rejects.toThrow(/--memory-budget: must be > 0, got -1/);
  });

  it('memory stays flat over a 10^6-step run (live heap and RSS growth < 20 MiB, where keeping the recordings would take 53 MiB)', async () => {
    const steps = 1_000_000;
    const net = small();
    const kept = recordingBytes(net, steps);
    expect(kept).toBeGreaterThan(2 * 20 * 2 ** 20); // the bound below would catch unbounded recordings
    const file = networkFile('long');
    // Live memory: a full collection before each sample (formatting traces.csv leaves garbage
    // that V8 collects lazily, which would otherwise show as growth it is not).
    v8.setFlagsFromString('--expose_gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const samples: { rss: number; heap: number }[] = [];
    let updates = 0;
    const io = {
      out: () => {},
      err: () => {
        if (updates++ % 2 !== 0) return;
        gc();
        samples.push({ rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed });
      },
      errIsTty: true,
    };
    const r = await runCommand({ target: file, backend: 'cpu', duration_ms: steps * 0.1, out: join(root, 'long'), stream: true }, io);
    expect(r.steps).toBe(steps);
    expect(samples.length).toBeGreaterThanOrEqual(40);
    // After the first tenth (buffers grown, code compiled), the largest growth over the rest of the run.
    const base = samples[Math.floor(samples.length / 10)];
    const rssGrowth = Math.max(...samples.slice(Math.floor(samples.length / 10)).map((s) => s.rss)) - base.rss;
    const heapGrowth = Math.max(...samples.slice(Math.floor(samples.length / 10)).map((s) => s.heap)) - base.heap;
    console.log(JSON.stringify({ test: 'memory-flat', steps, rss_growth_mb: +(rssGrowth / 2 ** 20).toFixed(2), heap_growth_mb: +(heapGrowth / 2 ** 20).toFixed(2), kept_recordings_mb: +(kept / 2 ** 20).toFixed(1), spikes: r.populations.e.spikes }));
    expect(rssGrowth).toBeLessThan(20 * 2 ** 20);
    expect(heapGrowth).toBeLessThan(20 * 2 ** 20);
    const bin = readSpikeFile(new Uint8Array(readFileSync(join(root, 'long', 'spikes.bin'))));
    expect(bin.tables[0].steps.length).toBe(r.populations.e.spikes);
    expect(bin.tables[0].steps[bin.tables[0].steps.length - 1]).toBeGreaterThan(steps * 0.99);
    expect(r.populations.e.spikes).toBeGreaterThan(10_000);
  }, 120_000);
});
