/**
 * A training backend seen through a Proxy, for the `train` benchmark (bench/train.ts): it adds up
 * the bytes of every tensor allocated (zeros), split by the phase the caller declares (parameters
 * with their gradients and optimiser moments, or per-batch activations), and per op the calls,
 * the wall time of the call, and (on a backend with `counts`, the GPU) the dispatches recorded.
 *
 * Wall time per op means something on the CPU, where every op runs synchronously inside its call;
 * on the GPU a call only records a dispatch and the work runs later, so there the benchmark reads
 * dispatch counts and times whole steps up to backend.finish().
 */
import type { Tensor, TrainBackend } from '../src/train/backend.js';

export type MemoryPhase = 'params' | 'activations';

/** Calls, milliseconds inside the call, and dispatches recorded, of one op. */
export interface OpTally {
  calls: number;
  ms: number;
  dispatches: number;
}

/** What the GPU backend reports about its recorder (absent on the CPU backend). */
interface DispatchCounts {
  readonly counts?: { dispatches: number };
}

/** Methods that are not ops: allocation is counted separately, release and finish are bookkeeping. */
const NOT_OPS = new Set<PropertyKey>(['zeros', 'release', 'finish', 'read', 'constructor']);

export class BackendProbe {
  /** The proxy: build the model on this one. */
  readonly backend: TrainBackend;
  /** Where zeros() counts its bytes now. */
  phase: MemoryPhase = 'activations';
  /** Logical bytes (4 per f32 element) allocated in each phase. */
  readonly bytes: Record<MemoryPhase, number> = { params: 0, activations: 0 };
  /** Per-op tallies since the last resetOps(). */
  readonly ops = new Map<string, OpTally>();
  private readonly allocated: Tensor[] = [];

  constructor(readonly target: TrainBackend) {
    const wrapped = new Map<PropertyKey, unknown>();
    const counted = target as TrainBackend & DispatchCounts;
    this.backend = new Proxy(target, {
      get: (t, prop) => {
        const value = Reflect.get(t, prop, t);
        if (typeof value !== 'function') return value;
        let w = wrapped.get(prop);
        if (w) return w;
        const fn = value as (...args: unknown[]) => unknown;
        if (prop === 'zeros') {
          w = (size: number, label?: string) => {
            const tensor = fn.call(t, size, label) as Tensor;
            this.bytes[this.phase] += 4 * size;
            this.allocated.push(tensor);
            return tensor;
          };
        } else if (NOT_OPS.has(prop)) {
          w = fn.bind(t);
        } else {
          const name = String(prop);
          w = (...args: unknown[]) => {
            const d0 = counted.counts?.dispatches ?? 0;
            const t0 = performance.now();
            const out = fn.apply(t, args);
            const ms = performance.now() - t0;
            const tally = this.ops.get(name) ?? { calls: 0, ms: 0, dispatches: 0 };
            tally.calls++;
            tally.ms += ms;
            tally.dispatches += (counted.counts?.dispatches ?? 0) - d0;
            this.ops.set(name, tally);
            return out;
          };
        }
        wrapped.set(prop, w);
        return w;
      },
    });
  }

  /** Runs `fn` with allocations counted as `phase`. */
  in<T>(phase: MemoryPhase, fn: () => T): T {
    const before = this.phase;
    this.phase = phase;
    try {
      return fn();
    } finally {
      this.phase = before;
    }
  }

  resetOps(): void {
    this.ops.clear();
  }

  /** Frees every tensor allocated through the probe (GPU buffers; a no-op on the CPU). */
  releaseAll(): void {
    for (const t of this.allocated) this.target.release(t);
    this.allocated.length = 0;
  }
}

/**
 * Each op's share of `totalMs` (CPU: wall time inside the op's calls; the rest of the step, host
 * work in the model code, is `other`), or of the dispatches (GPU, `basis` 'dispatches'). Shares
 * sum to 1; ops are listed from the largest share down.
 */
export function opShares(ops: Map<string, OpTally>, basis: 'wall_time' | 'dispatches', totalMs: number): Record<string, number> {
  const entries = [...ops].map(([name, t]) => [name, basis === 'dispatches' ? t.dispatches : t.ms] as const).filter(([, v]) => v > 0);
  const sum = entries.reduce((s, [, v]) => s + v, 0);
  const total = basis === 'dispatches' ? sum : Math.max(totalMs, sum);
  const shares: [string, number][] = entries.map(([name, v]) => [name, total > 0 ? v / total : 0]);
  if (basis === 'wall_time' && total > sum) shares.push(['other', (total - sum) / total]);
  shares.sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(shares);
}
