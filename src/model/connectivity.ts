import { CounterRng } from '../util/rng.js';
import { isModelValue, ModelError, rejectUnknownKeys, requireModelValue, requireInRange, requireInt, requireNonNegative } from '../util/validate.js';
import { buildCrossbarWeights, type CrossbarSynapseSpec, type CrossbarWeights } from './crossbar-weights.js';
import type { CsrWeights, DenseWeights, ProceduralWeights } from './weights.js';

export type { CsrWeights, DenseWeights, ProceduralWeights };

/** A synaptic weight (mV of input per spike): one value, or drawn per synapse from a normal. */
export type WeightSpec = number | { mean: number; std: number };

/**
 * How a projection connects its source to its target population. The chapter's matrices are
 * `dense` with shape (n_post, n_pre); the rest are sparse and stored as CSR rows per
 * presynaptic neuron, so propagation reads only the rows of neurons that spiked.
 */
export type ConnectivitySpec =
  | { kind: 'dense'; weights: ArrayLike<ArrayLike<number>> | { data: ArrayLike<number>; shape: [number, number] } }
  | { kind: 'fixed_probability'; p: number; weight: WeightSpec; autapses?: boolean; procedural?: boolean }
  | { kind: 'fixed_indegree'; k: number; weight: WeightSpec; autapses?: boolean }
  | { kind: 'one_to_one'; weight: WeightSpec }
  | { kind: 'csr'; rowPtr: ArrayLike<number>; cols: ArrayLike<number>; weights: ArrayLike<number> }
  /**
   * Weights (a dense matrix as for `dense`, or one `weight` for every pair) programmed onto a
   * memristor crossbar and read each step by the spikes (src/ops/crossbar-synapses/cpu.ts).
   */
  | { kind: 'crossbar'; weights?: Extract<ConnectivitySpec, { kind: 'dense' }>['weights']; weight?: WeightSpec; crossbar?: CrossbarSynapseSpec };

export type BuiltConnectivity = DenseWeights | CsrWeights | ProceduralWeights | CrossbarWeights;

/** Synapses leaving each presynaptic neuron (for procedural connectivity the expected number). */
export function outDegrees(c: BuiltConnectivity): Float64Array {
  const out = new Float64Array(c.nPre);
  if (c.kind === 'dense' || c.kind === 'crossbar') out.fill(c.nPost);
  else if (c.kind === 'procedural') out.fill(c.p * (c.noSelf ? c.nPost - 1 : c.nPost));
  else for (let j = 0; j < c.nPre; j++) out[j] = c.rowPtr[j + 1] - c.rowPtr[j];
  return out;
}

/** Synapses of a projection; for procedural connectivity the expected number, p * nPre * nPost. */
export function synapseCount(c: BuiltConnectivity): number {
  if (c.kind === 'dense' || c.kind === 'crossbar') return c.nPre * c.nPost;
  if (c.kind === 'procedural') return Math.round(c.p * c.nPre * (c.noSelf ? c.nPost - 1 : c.nPost));
  return c.cols.length;
}

interface BuildContext {
  field: string;
  nPre: number;
  nPost: number;
  samePopulation: boolean;
  seed: number;
  stream: number;
}

/** Validates a spec and builds its weights; randomness comes from (seed, stream). */
export function buildConnectivity(spec: ConnectivitySpec, ctx: BuildContext): BuiltConnectivity {
  const f = ctx.field;
  switch (spec.kind) {
    case 'dense':
      rejectUnknownKeys(f, spec, ['kind', 'weights']);
      return buildDense(spec.weights, ctx);
    case 'fixed_probability': {
      rejectUnknownKeys(f, spec, ['kind', 'p', 'weight', 'autapses', 'procedural']);
      const p = requireInRange(`${f}.p`, spec.p, 0, 1);
      const autapses = spec.autapses ?? !ctx.samePopulation;
      if (spec.procedural !== undefined && typeof spec.procedural !== 'boolean') {
        throw new ModelError(`${f}.procedural`, `must be true or false, got ${String(spec.procedural)}`);
      }
      if (spec.procedural) return buildProcedural(p, spec.weight, autapses, ctx);
      return buildFixedProbability(p, spec.weight, autapses, ctx);
    }
    case 'fixed_indegree': {
      rejectUnknownKeys(f, spec, ['kind', 'k', 'weight', 'autapses']);
      const autapses = spec.autapses ?? !ctx.samePopulation;
      const available = ctx.samePopulation && !autapses ? ctx.nPre - 1 : ctx.nPre;
      const k = requireInt(`${f}.k`, spec.k, 0, available);
      return buildFixedIndegree(k, spec.weight, autapses, ctx);
    }
    case 'one_to_one': {
      rejectUnknownKeys(f, spec, ['kind', 'weight']);
      if (ctx.nPre !== ctx.nPost) {
        throw new ModelError(`${f}.kind`, `one_to_one needs equal population sizes, got ${ctx.nPre} -> ${ctx.nPost}`);
      }
      const rowPtr = new Uint32Array(ctx.nPre + 1);
      const cols = new Uint32Array(ctx.nPre);
      for (let j = 0; j < ctx.nPre; j++) {
        rowPtr[j + 1] = j + 1;
        cols[j] = j;
      }
      return { kind: 'sparse', nPre: ctx.nPre, nPost: ctx.nPost, rowPtr, cols, weights: drawWeights(spec.weight, ctx.nPre, ctx) };
    }
    case 'csr':
      rejectUnknownKeys(f, spec, ['kind', 'rowPtr', 'cols', 'weights']);
      return buildExplicitCsr(spec, ctx);
    case 'crossbar': {
      rejectUnknownKeys(f, spec, ['kind', 'weights', 'weight', 'crossbar']);
      if ((spec.weights === undefined) === (spec.weight === undefined)) throw new ModelError(`${f}.weights`, 'give either weights (a [n_post][n_pre] matrix) or weight (one value or {mean, std} for every pair), not both or neither');
      if (spec.weights !== undefined && (spec.weights === null || typeof spec.weights !== 'object')) throw new ModelError(`${f}.weights`, 'must be a [n_post][n_pre] matrix or {data, shape}');
      const dense = spec.weights !== undefined ? buildDense(spec.weights, ctx) : { kind: 'dense' as const, nPre: ctx.nPre, nPost: ctx.nPost, w: drawWeights(spec.weight!, ctx.nPre * ctx.nPost, ctx) };
      return buildCrossbarWeights(f, spec.crossbar, dense, ctx.seed, ctx.stream);
    }
    default:
      throw new ModelError(`${f}.kind`, `must be one of dense, fixed_probability, fixed_indegree, one_to_one, csr, crossbar; got ${String((spec as { kind?: unknown }).kind)}`);
  }
}

function buildDense(weights: Extract<ConnectivitySpec, { kind: 'dense' }>['weights'], ctx: BuildContext): DenseWeights {
  const { nPre, nPost, field } = ctx;
  const w = new Float32Array(nPre * nPost);
  const put = (i: number, j: number, x: unknown) => {
    w[j * nPost + i] = isModelValue(x) ? x : requireModelValue(`${field}.weights[${i}][${j}]`, x);
  };
  if (weights === null || typeof weights !== 'object') {
    throw new ModelError(`${field}.weights`, `must be rows [n_post][n_pre] or {data, shape}, got ${String(weights)}`);
  }
  if ('shape' in weights && 'data' in weights) {
    const [rows, cols] = weights.shape;
    if (rows !== nPost || cols !== nPre) {
      throw new ModelError(`${field}.weights.shape`, `must be [n_post, n_pre] = [${nPost}, ${nPre}], got [${rows}, ${cols}]`);
    }
    if (weights.data.length !== nPre * nPost) {
      throw new ModelError(`${field}.weights.data`, `must have ${nPre * nPost} values, got ${weights.data.length}`);
    }
    for (let i = 0; i < nPost; i++) for (let j = 0; j < nPre; j++) put(i, j, weights.data[i * nPre + j]);
  } else {
    const rows = weights as ArrayLike<ArrayLike<number>>;
    if (rows.length !== nPost) {
      throw new ModelError(`${field}.weights`, `must have n_post = ${nPost} rows (shape [n_post, n_pre]), got ${rows.length}`);
    }
    for (let i = 0; i < nPost; i++) {
      const row = rows[i];
      if (!row || row.length !== nPre) {
        throw new ModelError(`${field}.weights[${i}]`, `must have n_pre = ${nPre} columns, got ${row?.length}`);
      }
      for (let j = 0; j < nPre; j++) put(i, j, row[j]);
    }
  }
  return { kind: 'dense', nPre, nPost, w };
}

function drawWeights(spec: WeightSpec, count: number, ctx: BuildContext): Float32Array {
  const out = new Float32Array(count);
  if (typeof spec === 'number') {
    out.fill(requireModelValue(`${ctx.field}.weight`, spec));
    return out;
  }
  if (typeof spec !== 'object' || spec === null) {
    throw new ModelError(`${ctx.field}.weight`, 'must be a number or {mean, std}');
  }
  rejectUnknownKeys(`${ctx.field}.weight`, spec, ['mean', 'std']);
  const mean = requireModelValue(`${ctx.field}.weight.mean`, spec.mean);
  const std = requireModelValue(`${ctx.field}.weight.std`, requireNonNegative(`${ctx.field}.weight.std`, spec.std));
  const rng = new CounterRng(ctx.seed, ctx.stream * 2 + 1);
  for (let s = 0; s < count; s++) out[s] = mean + std * rng.normal();
  return out;
}

function buildProcedural(p: number, weight: WeightSpec, autapses: boolean, ctx: BuildContext): ProceduralWeights {
  if (typeof weight !== 'number') {
    throw new ModelError(`${ctx.field}.weight`, 'procedural connectivity has one weight for every synapse: give a number, not {mean, std}');
  }
  return {
    kind: 'procedural',
    nPre: ctx.nPre,
    nPost: ctx.nPost,
    p,
    cut24: Math.round(p * 2 ** 24),
    weight: requireModelValue(`${ctx.field}.weight`, weight),
    noSelf: ctx.samePopulation && !autapses,
    seed: ctx.seed,
    stream: (ctx.stream * 2) >>> 0,
  };
}

/** Bernoulli(p) for every pair, sampled by geometric skips so the cost is O(synapses). */
function buildFixedProbability(p: number, weight: WeightSpec, autapses: boolean, ctx: BuildContext): CsrWeights {
  const { rowPtr, cols } = bernoulliRows(ctx.nPre, ctx.nPost, p, new CounterRng(ctx.seed, ctx.stream * 2), !autapses && ctx.samePopulation);
  return { kind: 'sparse', nPre: ctx.nPre, nPost: ctx.nPost, rowPtr, cols, weights: drawWeights(weight, cols.length, ctx) };
}

/**
 * CSR rows of a Bernoulli(p) draw for every (pre j, post i) pair, by geometric skips: O(synapses),
 * not O(nPre * nPost). `skipSelf` leaves out j -> j.
 */
export function bernoulliRows(nPre: number, nPost: number, p: number, rng: CounterRng, skipSelf = false): { rowPtr: Uint32Array; cols: Uint32Array } {
  const rowPtr = new Uint32Array(nPre + 1);
  let cols = new Uint32Array(Math.max(16, Math.ceil(nPre * nPost * p * 1.1 + 64)));
  let count = 0;
  const logq = Math.log1p(-p);
  for (let j = 0; j < nPre; j++) {
    if (p > 0) {
      for (let i = -1; ; ) {
        i += p >= 1 ? 1 : 1 + Math.floor(Math.log(rng.uniform()) / logq);
        if (i >= nPost) break;
        if (skipSelf && i === j) continue;
        if (count === cols.length) {
          const grown = new Uint32Array(cols.length * 2);
          grown.set(cols);
          cols = grown;
        }
        cols[count++] = i;
      }
    }
    rowPtr[j + 1] = count;
  }
  return { rowPtr, cols: cols.slice(0, count) };
}

/** Each postsynaptic neuron draws exactly k distinct presynaptic partners. */
function buildFixedIndegree(k: number, weight: WeightSpec, autapses: boolean, ctx: BuildContext): CsrWeights {
  const { nPre, nPost } = ctx;
  const rng = new CounterRng(ctx.seed, ctx.stream * 2);
  const pres = new Uint32Array(nPost * k);
  // mark[j] === i + 1 when post i already drew j: no per-post clearing, no Set.
  const mark = new Uint32Array(nPre);
  for (let i = 0; i < nPost; i++) {
    if (!autapses && ctx.samePopulation) mark[i] = i + 1;
    const row = pres.subarray(i * k, (i + 1) * k);
    for (let count = 0; count < k; ) {
      const j = rng.int(nPre);
      if (mark[j] === i + 1) continue;
      mark[j] = i + 1;
      row[count++] = j;
    }
    row.sort();
  }
  // Counting sort into rows per presynaptic neuron; within a row, posts stay ascending.
  const rowPtr = new Uint32Array(nPre + 1);
  for (let s = 0; s < pres.length; s++) rowPtr[pres[s] + 1]++;
  for (let j = 0; j < nPre; j++) rowPtr[j + 1] += rowPtr[j];
  const fill = rowPtr.slice(0, nPre);
  const cols = new Uint32Array(pres.length);
  for (let i = 0; i < nPost; i++) {
    for (let s = i * k; s < (i + 1) * k; s++) cols[fill[pres[s]]++] = i;
  }
  return { kind: 'sparse', nPre, nPost, rowPtr, cols, weights: drawWeights(weight, cols.length, ctx) };
}

function buildExplicitCsr(spec: Extract<ConnectivitySpec, { kind: 'csr' }>, ctx: BuildContext): CsrWeights {
  const { nPre, nPost, field } = ctx;
  if (spec.rowPtr.length !== nPre + 1) {
    throw new ModelError(`${field}.rowPtr`, `must have n_pre + 1 = ${nPre + 1} entries, got ${spec.rowPtr.length}`);
  }
  const rowPtr = new Uint32Array(nPre + 1);
  for (let j = 0; j <= nPre; j++) {
    const v = requireInt(`${field}.rowPtr[${j}]`, spec.rowPtr[j], j === 0 ? 0 : rowPtr[j - 1], spec.cols.length);
    if (j === 0 && v !== 0) throw new ModelError(`${field}.rowPtr[0]`, `must be 0, got ${v}`);
    rowPtr[j] = v;
  }
  if (rowPtr[nPre] !== spec.cols.length) {
    throw new ModelError(`${field}.rowPtr[${nPre}]`, `must equal cols.length (${spec.cols.length}), got ${rowPtr[nPre]}`);
  }
  if (spec.weights.length !== spec.cols.length) {
    throw new ModelError(`${field}.weights`, `must have one weight per synapse (${spec.cols.length}), got ${spec.weights.length}`);
  }
  const cols = new Uint32Array(spec.cols.length);
  const weights = new Float32Array(spec.cols.length);
  for (let s = 0; s < cols.length; s++) {
    const c = spec.cols[s];
    cols[s] = Number.isInteger(c) && c >= 0 && c < nPost ? c : requireInt(`${field}.cols[${s}]`, c, 0, nPost - 1);
    const x = spec.weights[s];
    weights[s] = isModelValue(x) ? x : requireModelValue(`${field}.weights[${s}]`, x);
  }
  return { kind: 'sparse', nPre, nPost, rowPtr, cols, weights };
}
