/**
 * Streaming recordings for long CLI runs: after each slice of steps the monitors' recordings are
 * drained to disk (spikes.bin, traces.csv) and to running statistics, then cleared, so memory
 * stays flat however long the run. spikes.bin keeps the format of src/io/spike-file.ts: each
 * population's step and neuron columns go to two scratch files while the run lasts and are
 * joined behind the header (whose event counts are known only at the end) when it closes.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Network } from '../model/network.js';
import type { Simulation } from '../engine/simulation.js';
import { forEachSetBit } from '../util/bits.js';
import { type PopulationSummary, type RunSummary, type SummaryOptions, summaryOf } from './outputs.js';

/** Bytes the recordings of a run would take in memory: spike bitmasks and voltage traces. */
export function recordingBytes(net: Network, steps: number): number {
  let perStep = 0;
  for (const id of net.spikeMonitors) perStep += Math.ceil(net.populations[id].n / 32) * 4;
  for (const indices of net.voltageMonitors.values()) perStep += indices.length * 4;
  return perStep * steps;
}

/** An append-only u32 column written through a buffer. */
class Column {
  private readonly fd: number;
  private readonly buf = new Uint32Array(16384);
  private used = 0;
  count = 0;

  private open = true;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Closes the column if still open and deletes its scratch file (a failed run). */
  abort(): void {
    if (this.open) {
      this.open = false;
      closeSync(this.fd);
    }
    rmSync(this.path, { force: true });
  }

  push(x: number): void {
    this.buf[this.used++] = x;
    this.count++;
    if (this.used === this.buf.length) this.flush();
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, new Uint8Array(this.buf.buffer, 0, this.used * 4));
    this.used = 0;
  }

  /** Flushes, closes, and copies the column to `out` in blocks; deletes the scratch file. */
  drainInto(out: number): void {
    this.flush();
    this.open = false;
    closeSync(this.fd);
    const fd = openSync(this.path, 'r');
    const block = new Uint8Array(1 << 20);
    for (let n; (n = readSync(fd, block, 0, block.length, null)) > 0; ) writeSync(out, block, 0, n);
    closeSync(fd);
    rmSync(this.path);
  }
}

/** Per-neuron running statistics: the spike counts and the inter-spike intervals of cvIsiAcross. */
class SpikeStats {
  readonly counts: Uint32Array;
  private readonly last: Float64Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly isis: Uint32Array;
  total = 0;

  constructor(readonly n: number) {
    this.counts = new Uint32Array(n);
    this.last = new Float64Array(n).fill(-1);
    this.sum = new Float64Array(n);
    this.sumSq = new Float64Array(n);
    this.isis = new Uint32Array(n);
  }

  add(step: number, i: number): void {
    this.counts[i]++;
    this.total++;
    if (this.last[i] >= 0) {
      const isi = step - this.last[i];
      this.sum[i] += isi;
      this.sumSq[i] += isi * isi;
      this.isis[i]++;
    }
    this.last[i] = step;
  }

  /** Mean CV of ISI over neurons with >= 3 spikes, as SpikeRecording.cvIsi computes it. */
  cvIsi(): number {
    let cv = 0;
    let m = 0;
    for (let i = 0; i < this.n; i++) {
      if (this.isis[i] < 2) continue;
      const mean = this.sum[i] / this.isis[i];
      cv += Math.sqrt(Math.max(0, this.sumSq[i] / this.isis[i] - mean * mean)) / mean;
      m++;
    }
    return m === 0 ? NaN : cv / m;
  }
}

/**
 * Drains a simulation's recordings after each slice: spike events to spikes.bin (when `dir` is
 * given), voltage rows to traces.csv, statistics for the summary. Call drain() after every
 * run() and close() at the end.
 */
export class StreamingRecorder {
  private readonly pops: { name: string; n: number; words: number; steps?: Column; neurons?: Column; stats: SpikeStats }[];
  private readonly traces: { name: string; width: number }[];
  private tracesFd: number | undefined;
  /** spikes.bin while close() writes it. */
  private spikesFd: number | undefined;
  private closed = false;
  private step = 0;
  private readonly textBuf = new Uint8Array(1 << 20);
  private textUsed = 0;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly net: Network,
    private readonly dir?: string,
  ) {
    this.pops = [...net.spikeMonitors].map((id, k) => {
      const p = net.populations[id];
      const columns = dir ? { steps: new Column(join(dir, `.spikes.${k}.steps`)), neurons: new Column(join(dir, `.spikes.${k}.neurons`)) } : {};
      return { name: p.name, n: p.n, words: Math.ceil(p.n / 32), ...columns, stats: new SpikeStats(p.n) };
    });
    const traced = [...net.voltageMonitors].map(([id, indices]) => ({ name: net.populations[id].name, indices }));
    this.traces = traced.map((t) => ({ name: t.name, width: t.indices.length }));
    if (dir && traced.length > 0) {
      this.tracesFd = openSync(join(dir, 'traces.csv'), 'w');
      const header = ['time_ms', ...traced.flatMap((t) => Array.from(t.indices, (i) => `${t.name}[${i}]`))];
      this.writeLine(header.join(','));
    }
  }

  /** Steps drained so far. */
  get steps(): number {
    return this.step;
  }

  /** Moves everything the simulation recorded since the last drain out of memory. */
  drain(sim: Simulation): void {
    let steps = -1;
    for (const p of this.pops) {
      const rec = sim.spikes(p.name);
      if (steps >= 0 && rec.steps !== steps) throw new Error(`streaming: recordings disagree on the steps recorded (${steps} vs ${rec.steps})`);
      steps = rec.steps;
      const bits = rec.bits;
      for (let s = 0; s < rec.steps; s++) {
        const t = this.step + s;
        forEachSetBit(bits, s * p.words, p.words, (i) => {
          p.stats.add(t, i);
          p.steps?.push(t);
          p.neurons?.push(i);
        });
      }
      rec.clear();
    }
    const recs = this.traces.map((t) => sim.voltage(t.name));
    if (recs.length > 0) {
      const rows = recs[0].steps;
      if (steps >= 0 && rows !== steps) throw new Error(`streaming: recordings disagree on the steps recorded (${steps} vs ${rows})`);
      steps = rows;
      if (this.tracesFd !== undefined) {
        const values = recs.map((r) => r.values);
        for (let s = 0; s < rows; s++) {
          let row = String(round((this.step + s + 1) * this.net.dt));
          for (let k = 0; k < recs.length; k++) {
            const w = recs[k].indices.length;
            for (let j = 0; j < w; j++) row += `,${values[k][s * w + j]}`;
          }
          this.writeLine(row);
        }
      }
      for (const r of recs) r.clear();
    }
    if (steps > 0) this.step += steps;
  }

  /** Encodes a row into a reused byte buffer (strings written directly leave garbage the heap keeps growing with). */
  private writeLine(line: string): void {
    if (this.textUsed + line.length * 3 + 1 > this.textBuf.length) this.flushTraces();
    this.textUsed += this.encoder.encodeInto(line, this.textBuf.subarray(this.textUsed)).written;
    this.textBuf[this.textUsed++] = 10;
  }

  private flushTraces(): void {
    if (this.tracesFd === undefined || this.textUsed === 0) return;
    writeSync(this.tracesFd, this.textBuf, 0, this.textUsed);
    this.textUsed = 0;
  }

  /** Finishes spikes.bin and traces.csv; returns the file names written. */
  close(): string[] {
    const files: string[] = [];
    if (this.tracesFd !== undefined) {
      this.flushTraces();
      const fd = this.tracesFd;
      this.tracesFd = undefined;
      closeSync(fd);
      files.push('traces.csv');
    }
    if (!this.dir || this.pops.length === 0) {
      this.closed = true;
      return files;
    }
    const fd = (this.spikesFd = openSync(join(this.dir, 'spikes.bin'), 'w'));
    const head = new Uint8Array(20);
    head.set(new TextEncoder().encode('NMSPIKE1'), 0);
    new DataView(head.buffer).setFloat64(8, this.net.dt, true);
    new DataView(head.buffer).setUint32(16, this.pops.length, true);
    writeSync(fd, head);
    for (const p of this.pops) {
      const name = new TextEncoder().encode(p.name);
      const rec = new Uint8Array(12 + name.length);
      const view = new DataView(rec.buffer);
      view.setUint32(0, name.length, true);
      rec.set(name, 4);
      view.setUint32(4 + name.length, p.n, true);
      view.setUint32(8 + name.length, p.steps!.count, true);
      writeSync(fd, rec);
      p.steps!.drainInto(fd);
      p.neurons!.drainInto(fd);
    }
    this.spikesFd = undefined;
    closeSync(fd);
    this.closed = true;
    files.push('spikes.bin');
    return files;
  }

  /**
   * After a failed run (or a failed close()): closes every file still open and deletes the
   * scratch columns and the partial traces.csv and spikes.bin, so `--out` holds no half-written
   * output. Nothing happens after a successful close().
   */
  abort(): void {
    if (this.closed || !this.dir) return;
    this.closed = true;
    const dir = this.dir;
    const attempt = (f: () => void) => {
      try {
        f();
      } catch {
        // Cleaning up after a failure: go on with the rest.
      }
    };
    for (const p of this.pops) {
      attempt(() => p.steps?.abort());
      attempt(() => p.neurons?.abort());
    }
    if (this.traces.length > 0) {
      const fd = this.tracesFd;
      this.tracesFd = undefined;
      if (fd !== undefined) attempt(() => closeSync(fd));
      attempt(() => rmSync(join(dir, 'traces.csv'), { force: true }));
    }
    if (this.spikesFd !== undefined) {
      const fd = this.spikesFd;
      this.spikesFd = undefined;
      attempt(() => closeSync(fd));
      attempt(() => rmSync(join(dir, 'spikes.bin'), { force: true }));
    }
  }

  /** The run summary from the running statistics (the same fields as summarize()). */
  summary(sim: Simulation, o: SummaryOptions): RunSummary {
    const net = this.net;
    const populations: Record<string, PopulationSummary> = {};
    const seconds = (this.step * net.dt) / 1000;
    for (const p of this.pops) populations[p.name] = { n: p.n, spikes: p.stats.total, rate_hz: round(seconds === 0 ? 0 : p.stats.total / p.n / seconds), cv_isi: round(p.stats.cvIsi()) };
    return summaryOf(net, sim, o, populations, (pre) => this.pops.find((p) => p.name === net.populations[pre].name)?.stats.counts ?? null);
  }
}

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
