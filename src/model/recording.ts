import { forEachSetBit } from '../util/bits.js';

/**
 * Recordings filled by either backend.
 *
 * Spikes arrive as per-step bitmasks (bit i % 32 of word i / 32 is neuron i) and are stored
 * compactly: a step with fewer spikes than bitmask words keeps the ascending indices of its
 * spiking neurons, any other step its bitmask words as they are. A step so costs at most n/8
 * bytes (and a 4-byte start), and at the sparse firing of cortical models a few bytes: a long run
 * writes little memory (fresh pages are slow to touch). `bits` decodes the bitmasks on demand.
 */
export class SpikeRecording {
  readonly words: number;
  /** Step s lies in data[starts[s] .. starts[s + 1]): `words` values are its bitmask, fewer its spiking neurons. */
  private starts: Uint32Array;
  private data: Uint32Array;
  private length = 0;
  /** The bitmasks of the first `decodedSteps` steps, as `bits` last decoded them. */
  private decoded: Uint32Array = new Uint32Array(0);
  private decodedSteps = 0;

  constructor(
    readonly population: string,
    readonly n: number,
    readonly dt: number,
  ) {
    this.words = Math.ceil(n / 32);
    this.starts = new Uint32Array(65);
    this.data = new Uint32Array(this.words * 64);
  }

  /** Steps recorded so far. */
  get steps(): number {
    return this.length;
  }

  /** Bytes the stored steps take (starts and records; not the decoded `bits`). */
  get storedBytes(): number {
    return 4 * (this.length + 1 + this.starts[this.length]);
  }

  /**
   * Makes room for `steps` more steps at once (at their largest, all bitmasks), so a run's appends
   * never reallocate: untouched room costs no memory traffic. Grows at least twofold, so many
   * short runs (or appends beyond a reservation) cost amortized O(1) per step.
   */
  reserve(steps: number): void {
    const needStarts = this.length + steps + 1;
    if (needStarts > this.starts.length) {
      const grown = new Uint32Array(Math.max(needStarts, 2 * this.starts.length));
      grown.set(this.starts.subarray(0, this.length + 1));
      this.starts = grown;
    }
    const used = this.starts[this.length];
    const needData = used + steps * this.words;
    if (needData > this.data.length) {
      const grown = new Uint32Array(Math.max(needData, 2 * this.data.length));
      grown.set(this.data.subarray(0, used));
      this.data = grown;
    }
  }

  /** Appends `steps` bitmasks laid out one after another from bits[offset]. Allocates only to grow. */
  append(bits: Uint32Array, steps: number, offset = 0): void {
    const words = this.words;
    if (this.length + steps + 1 > this.starts.length || this.starts[this.length] + steps * words > this.data.length) this.reserve(steps);
    const { starts, data } = this;
    let at = starts[this.length];
    for (let s = 0; s < steps; s++) {
      const from = offset + s * words;
      const start = at;
      // Neuron indices while fewer than `words`; past that the bitmask is the smaller record.
      const full = start + words;
      for (let k = 0; k < words && at < full; k++) {
        let w = bits[from + k];
        while (w !== 0 && at < full) {
          data[at++] = k * 32 + (31 - Math.clz32(w & -w));
          w &= w - 1;
        }
      }
      if (at === full) for (let k = 0; k < words; k++) data[start + k] = bits[from + k];
      starts[++this.length] = at;
    }
  }

  /**
   * Appends one step known both as its spiking neurons (neurons[from .. from + count), ascending)
   * and as its bitmask (bits[bitsOffset ..]): stores the smaller without walking the bitmask.
   */
  appendStep(neurons: Uint32Array, from: number, count: number, bits: Uint32Array, bitsOffset: number): void {
    const words = this.words;
    if (this.length + 2 > this.starts.length || this.starts[this.length] + words > this.data.length) this.reserve(1);
    const data = this.data;
    const at = this.starts[this.length];
    const size = count < words ? count : words;
    if (count < words) for (let k = 0; k < count; k++) data[at + k] = neurons[from + k];
    else for (let k = 0; k < words; k++) data[at + k] = bits[bitsOffset + k];
    this.starts[++this.length] = at + size;
  }

  clear(): void {
    this.length = 0;
    this.decodedSteps = 0;
  }

  /** All bitmasks, steps × words (decoded once; later calls decode only the steps added since). */
  get bits(): Uint32Array {
    const { words, length } = this;
    if (this.decodedSteps < length) {
      if (this.decoded.length < length * words) {
        const grown = new Uint32Array(Math.max(length * words, 2 * this.decoded.length));
        grown.set(this.decoded.subarray(0, this.decodedSteps * words));
        this.decoded = grown;
      }
      const out = this.decoded;
      out.fill(0, this.decodedSteps * words, length * words);
      for (let s = this.decodedSteps; s < length; s++) {
        const a = this.starts[s];
        const b = this.starts[s + 1];
        if (b - a === words) out.set(this.data.subarray(a, b), s * words);
        else for (let k = a; k < b; k++) out[s * words + (this.data[k] >>> 5)] |= 1 << (this.data[k] & 31);
      }
      this.decodedSteps = length;
    }
    return this.decoded.subarray(0, length * words);
  }

  /** Bitmask words of one step. */
  stepBits(step: number): Uint32Array {
    return this.bits.subarray(step * this.words, (step + 1) * this.words);
  }

  spiked(step: number, neuron: number): boolean {
    const a = this.starts[step];
    const b = this.starts[step + 1];
    if (b - a === this.words) return ((this.data[a + (neuron >>> 5)] >>> (neuron & 31)) & 1) === 1;
    for (let k = a; k < b; k++) if (this.data[k] === neuron) return true;
    return false;
  }

  /** Calls fn(step, neuron) for every spike, in time order (ascending neurons within a step). */
  forEachSpike(fn: (step: number, neuron: number) => void): void {
    const { words, starts, data } = this;
    for (let s = 0; s < this.length; s++) {
      const a = starts[s];
      const b = starts[s + 1];
      if (b - a === words) forEachSetBit(data, a, words, (i) => fn(s, i));
      else for (let k = a; k < b; k++) fn(s, data[k]);
    }
  }

  /** Spikes per neuron. */
  counts(): Uint32Array {
    const out = new Uint32Array(this.n);
    this.forEachSpike((_, i) => out[i]++);
    return out;
  }

  total(): number {
    const { words, starts, data } = this;
    let t = 0;
    for (let s = 0; s < this.length; s++) {
      const a = starts[s];
      const b = starts[s + 1];
      if (b - a === words) for (let k = a; k < b; k++) t += popcount(data[k]);
      else t += b - a;
    }
    return t;
  }

  /** (step, neuron) of every spike, in time order. */
  events(): { steps: Uint32Array; neurons: Uint32Array } {
    const total = this.total();
    const steps = new Uint32Array(total);
    const neurons = new Uint32Array(total);
    let k = 0;
    this.forEachSpike((s, i) => {
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
    rec.forEachSpike((s, i) => {
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
