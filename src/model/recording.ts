import { forEachSetBit } from '../util/bits.js';

/**
 * Recordings filled by either backend. Spikes are kept as the raw per-step bitmasks (bit i % 32 of
 * word i / 32 is neuron i), so recording costs n/8 bytes per step whatever the firing rate.
 */
export class SpikeRecording {
  readonly words: number;
  private data: Uint32Array;
  private length = 0;

  constructor(
    readonly population: string,
    readonly n: number,
    readonly dt: number,
  ) {
    this.words = Math.ceil(n / 32);
    this.data = new Uint32Array(this.words * 64);
  }

  /** Steps recorded so far. */
  get steps(): number {
    return this.length;
  }

  /**
   * Makes room for `steps` more steps at once, so a run's appends never reallocate. Grows at least
   * twofold, so many short runs (or appends beyond a reservation) cost amortized O(1) per step.
   */
  reserve(steps: number): void {
    const need = (this.length + steps) * this.words;
    if (need > this.data.length) {
      const grown = new Uint32Array(Math.max(need, 2 * this.data.length));
      grown.set(this.data.subarray(0, this.length * this.words));
      this.data = grown;
    }
  }

  /** Appends `steps` bitmasks laid out one after another from bits[offset]. Allocates only to grow. */
  append(bits: Uint32Array, steps: number, offset = 0): void {
    const count = steps * this.words;
    const need = this.length * this.words + count;
    if (need > this.data.length) this.reserve(steps);
    const dst = this.length * this.words;
    for (let k = 0; k < count; k++) this.data[dst + k] = bits[offset + k];
    this.length += steps;
  }

  clear(): void {
    this.length = 0;
  }

  /** All bitmasks, steps × words. */
  get bits(): Uint32Array {
    return this.data.subarray(0, this.length * this.words);
  }

  /** Bitmask words of one step. */
  stepBits(step: number): Uint32Array {
    return this.data.subarray(step * this.words, (step + 1) * this.words);
  }

  spiked(step: number, neuron: number): boolean {
    return ((this.data[step * this.words + (neuron >>> 5)] >>> (neuron & 31)) & 1) === 1;
  }

  /** Spikes per neuron. */
  counts(): Uint32Array {
    const out = new Uint32Array(this.n);
    forEachSpike(this.bits, this.words, (_, i) => out[i]++);
    return out;
  }

  total(): number {
    let t = 0;
    const bits = this.bits;
    for (let k = 0; k < bits.length; k++) t += popcount(bits[k]);
    return t;
  }

  /** (step, neuron) of every spike, in time order. */
  events(): { steps: Uint32Array; neurons: Uint32Array } {
    const total = this.total();
    const steps = new Uint32Array(total);
    const neurons = new Uint32Array(total);
    let k = 0;
    forEachSpike(this.bits, this.words, (s, i) => {
      steps[k] = s;
      neurons[k++] = i;
    });
    return { steps, neurons };
  }

  /** Spike times (ms) of one neuron; a spike at step s is stamped t = s * dt as in the chapter. */
  spikeTimes(neuron: number): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.length; s++) if (this.spiked(s, neuron)) out.push(s * this.dt);
    return out;
  }

  /** Mean firing rate over neurons and recorded time (Hz). */
  meanRate(): number {
    return this.length === 0 ? 0 : this.total() / this.n / ((this.length * this.dt) / 1000);
  }

  /** Mean over neurons with >= 3 spikes of the coefficient of variation of inter-spike intervals. */
  cvIsi(): number {
    return cvIsiAcross([this]);
  }
}

/** Membrane potential of chosen neurons after every step: data[step * indices.length + k]. */
export class VoltageRecording {
  private data: Float32Array;
  private length = 0;

  constructor(
    readonly population: string,
    readonly indices: Uint32Array,
    readonly dt: number,
  ) {
    this.data = new Float32Array(indices.length * 64);
  }

  get steps(): number {
    return this.length;
  }

  /**
   * Makes room for `steps` more steps at once, so a run's appends never reallocate. Grows at least
   * twofold, so many short runs (or appends beyond a reservation) cost amortized O(1) per step.
   */
  reserve(steps: number): void {
    const width = this.indices.length;
    const need = (this.length + steps) * width;
    if (need > this.data.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.data.length));
      grown.set(this.data.subarray(0, this.length * width));
      this.data = grown;
    }
  }

  /** Appends `steps` rows of values. Allocates only to grow. */
  append(values: Float32Array, steps: number): void {
    const width = this.indices.length;
    const count = steps * width;
    const need = this.length * width + count;
    if (need > this.data.length) this.reserve(steps);
    const dst = this.length * width;
    for (let k = 0; k < count; k++) this.data[dst + k] = values[k];
    this.length += steps;
  }

  clear(): void {
    this.length = 0;
  }

  get values(): Float32Array {
    return this.data.subarray(0, this.length * this.indices.length);
  }

  /** The trace of the k-th recorded neuron (k indexes `indices`). */
  trace(k: number): Float32Array {
    const width = this.indices.length;
    const out = new Float32Array(this.length);
    for (let s = 0; s < this.length; s++) out[s] = this.data[s * width + k];
    return out;
  }
}

/** Mean CV of inter-spike intervals over every neuron with >= 3 spikes in any of the recordings. */
export function cvIsiAcross(recordings: SpikeRecording[]): number {
  let cv = 0;
  let m = 0;
  for (const rec of recordings) {
    const last = new Float64Array(rec.n).fill(-1);
    const sum = new Float64Array(rec.n);
    const sumSq = new Float64Array(rec.n);
    const count = new Uint32Array(rec.n);
    forEachSpike(rec.bits, rec.words, (s, i) => {
      if (last[i] >= 0) {
        const isi = s - last[i];
        sum[i] += isi;
        sumSq[i] += isi * isi;
        count[i]++;
      }
      last[i] = s;
    });
    for (let i = 0; i < rec.n; i++) {
      if (count[i] < 2) continue;
      const mean = sum[i] / count[i];
      cv += Math.sqrt(Math.max(0, sumSq[i] / count[i] - mean * mean)) / mean;
      m++;
    }
  }
  return m === 0 ? NaN : cv / m;
}

export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Calls fn(step, neuron) for every set bit of steps × words bitmasks, in time order. */
export function forEachSpike(bits: Uint32Array, words: number, fn: (step: number, neuron: number) => void): void {
  const steps = words === 0 ? 0 : bits.length / words;
  for (let step = 0; step < steps; step++) forEachSetBit(bits, step * words, words, (i) => fn(step, i));
}
