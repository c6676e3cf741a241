/**
 * Gradient checks of the whole training model (src/train/model.ts + loss.ts on the CPU twin):
 * the gradient that forward + computeLoss + backward accumulates into every parameter, against
 * central finite differences of the loss, (L(w + h) - L(w - h)) / (w+ - w-), where each L re-runs
 * the forward pass and computeLoss without gradients. The model fires with the smooth sigmoid
 * spike and uses the sigmoid surrogate of the same scale, so the surrogate is the exact
 * derivative of the forward pass and the two must agree up to f32 rounding and O(h^2).
 */
import { CpuTrainBackend } from '../../src/train/cpu/backend.js';
import { cpuData } from '../../src/train/cpu/tensor.js';
import { activityHook, computeLoss, lossTensors, type LossTensors } from '../../src/train/loss.js';
import { SpikingModel, type Workspace } from '../../src/train/model.js';
import type { ActivitySpec, LossSpec, ModelSpec } from '../../src/train/spec.js';
import { CounterRng } from '../../src/util/rng.js';

const f = Math.fround;

export interface GradCase {
  name: string;
  /** The model; smoothSpikes and the sigmoid surrogate (scale 4) are set here unless given. */
  spec: ModelSpec;
  loss: LossSpec;
  batch: number;
  activity?: ActivitySpec;
  /** Inputs are uniform in [lo, hi) (default [0, 2)). */
  inputRange?: [number, number];
  seed?: number;
  /** The backend (default a fresh CpuTrainBackend; tests pass a deliberately broken one to show the check catches it). */
  backend?: CpuTrainBackend;
}

export interface ParamCheck {
  name: string;
  checked: number;
  /** max over checked entries of |g - fd| / max(|g|, |fd|, floor), floor = 1e-3 * max |g| of the model. */
  maxRel: number;
  /** ||g - fd|| / ||fd|| over the checked entries. */
  vecRel: number;
  /** max over checked entries of |g - fd| / (rtol max(|g|, |fd|) + atol), atol = the loss's f32 rounding over h (see gradCheck). */
  noiseRatio: number;
}

export interface GradCheckResult {
  name: string;
  params: ParamCheck[];
  maxRel: number;
  vecRel: number;
  /** The loss at the unperturbed parameters and the mean spike probability of each spiking layer. */
  loss: number;
  rates: number[];
  /** Largest |gradient| over the model, and how many entries were checked in all. */
  gradMax: number;
  checked: number;
  noiseRatio: number;
  /** Finite differences whose w+h and w-h forward passes took different max branches (pool or readout argmax). */
  kinks: number;
  /** With activity regularisation: the hook's penalty tensors summed, and the penalty computed here from the spikes. */
  penalty?: { hook: number; independent: number };
}

export interface GradCheckOptions {
  /** Finite-difference step (default 1e-2). */
  h?: number;
  /** Entries checked per parameter, a seeded random subset (default 20; all when the parameter is smaller). */
  perParam?: number;
}

interface Harness {
  model: SpikingModel;
  x: ReturnType<CpuTrainBackend['zeros']>;
  lt: LossTensors;
  c: GradCase;
}

export function buildCase(c: GradCase): Harness {
  const spec: ModelSpec = { smoothSpikes: true, surrogate: { kind: 'sigmoid', scale: 4 }, ...c.spec };
  const backend = c.backend ?? new CpuTrainBackend();
  const model = new SpikingModel(backend, spec);
  const rng = new CounterRng(c.seed ?? 7, 0x9c);
  const [lo, hi] = c.inputRange ?? [0, 2];
  const xs = Float32Array.from({ length: c.batch * model.inputFeatures }, () => lo + (hi - lo) * rng.uniform());
  const x = backend.zeros(xs.length);
  backend.write(x, xs);
  const ws = model.workspace(c.batch);
  const lt = lossTensors(model, ws, new Map());
  backend.write(lt.labels, Float32Array.from({ length: c.batch }, () => rng.int(model.classes)));
  return { model, x, lt, c };
}

/**
 * The scalar the backward pass differentiates, in float64 from the loss tensors: the mean of the
 * per-sample losses (softmaxCrossEntropy's gradScale 1/B, rateMse's 2/(B K T) both differentiate
 * the mean), plus for each spiking layer weight * mean over (neuron, sample) of (rate - target)^2,
 * computed here independently from the spikes (the hook's penalty tensor is only written in backward).
 */
export function lossOf(h: Harness, ws: Workspace): number {
  const { lt, c } = h;
  const losses = cpuData('losses', lt.losses);
  let L = 0;
  for (let b = 0; b < c.batch; b++) L += losses[b];
  L /= c.batch;
  if (c.activity) L += activityPenalty(h, ws, c.activity);
  return L;
}

function activityPenalty(h: Harness, ws: Workspace, a: ActivitySpec): number {
  let total = 0;
  for (const l of h.model.resolved.layers) {
    if (l.kind !== 'neuron' || l.model === 'li') continue;
    const { outer, steps, inner } = h.model.neuronLayout(l, h.c.batch);
    const s = cpuData('s', h.model.outputOf(ws, l.index));
    let sum = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let n = 0;
        for (let t = 0; t < steps; t++) n += s[(o * steps + t) * inner + i];
        sum += (n / steps - (a.target ?? 0)) ** 2;
      }
    }
    total += (a.weight * sum) / (outer * inner);
  }
  return total;
}

/** The activity hook's per-neuron penalties of the last backward pass, summed over layers. */
function hookPenalty(h: Harness): number {
  let total = 0;
  for (const t of h.lt.penalty.values()) total += cpuData('penalty', t).reduce((a, v) => a + v, 0);
  return total;
}

function evalLoss(h: Harness): number {
  const ws = h.model.forward(h.x, h.c.batch);
  computeLoss(h.model, ws, h.lt, h.c.loss, false);
  return lossOf(h, ws);
}

/** Which branch every max took in the last forward pass (pool argmax, max readout's argmax over t). */
function maxBranches(h: Harness): string {
  const ws = h.model.workspace(h.c.batch);
  const parts = [...ws.argmax.values()].map((t) => cpuData('argmax', t).join(','));
  if (h.c.loss.kind === 'cross-entropy' && h.c.loss.readout === 'max') parts.push(cpuData('argmaxT', h.lt.argmaxT).join(','));
  return parts.join(';');
}

/** Mean spike probability of every spiking layer at the current parameters. */
function spikeRates(h: Harness): number[] {
  const ws = h.model.forward(h.x, h.c.batch);
  const rates: number[] = [];
  for (const l of h.model.resolved.layers) {
    if (l.kind !== 'neuron' || l.model === 'li') continue;
    const s = cpuData('s', h.model.outputOf(ws, l.index));
    rates.push(s.reduce((acc, v) => acc + v, 0) / s.length);
  }
  return rates;
}

/** The backward pass's gradients, one array per parameter (copies). */
export function analyticGrads(h: Harness): Float32Array[] {
  const { model, lt, c } = h;
  model.zeroGrads();
  const ws = model.forward(h.x, c.batch);
  computeLoss(model, ws, lt, c.loss, true);
  model.backward(ws, activityHook(model, ws, lt, c.activity));
  return model.params.map((p) => cpuData(p.name, p.grad).slice());
}

/** Indices 0..size-1, or a seeded random subset of `count` of them. */
function pick(size: number, count: number, rng: CounterRng): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (size <= count) return all;
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(size - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}

/**
 * Central finite difference of the loss along one parameter entry (restored after), with the f32
 * perturbation actually applied as the divisor; `kink` when w+h and w-h took different max branches.
 */
export function finiteDifference(h: Harness, name: string, index: number, step: number): { fd: number; kink: boolean } {
  const p = h.model.params.find((q) => q.name === name)!;
  const w = cpuData(name, p.value).slice();
  const w0 = w[index];
  const wp = f(w0 + step);
  const wm = f(w0 - step);
  w[index] = wp;
  h.model.setParam(name, w);
  const lp = evalLoss(h);
  const branchP = maxBranches(h);
  w[index] = wm;
  h.model.setParam(name, w);
  const lm = evalLoss(h);
  const kink = maxBranches(h) !== branchP;
  w[index] = w0;
  h.model.setParam(name, w);
  return { fd: (lp - lm) / (wp - wm), kink };
}

/** One unit in the last place of an f32 value. */
function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(x) || 1)) - 23);
}

/**
 * Every parameter's gradient entries (a seeded subset of `perParam` per parameter) against finite
 * differences. noiseRatio uses rtol = 1e-3 (the O(h^2) truncation, measured below 3e-4 at h = 1e-2)
 * and atol = 4 ulp(L) / h: each loss evaluation carries a few ulp of f32 rounding, and the central
 * difference divides their difference by 2h.
 */
export function gradCheck(c: GradCase, options: GradCheckOptions = {}): GradCheckResult {
  const step = options.h ?? 1e-2;
  const perParam = options.perParam ?? 20;
  const h = buildCase(c);
  const grads = analyticGrads(h);
  const penalty = c.activity ? { hook: hookPenalty(h), independent: activityPenalty(h, h.model.workspace(c.batch), c.activity) } : undefined;
  const loss = evalLoss(h);
  const rates = spikeRates(h);
  const gradMax = Math.max(...grads.map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  const floor = 1e-3 * gradMax;
  const atol = (4 * ulp(loss)) / step;
  const rng = new CounterRng(c.seed ?? 7, 0x6c);
  const params: ParamCheck[] = [];
  let diffSq = 0;
  let fdSq = 0;
  let kinks = 0;
  h.model.params.forEach((p, k) => {
    let maxRel = 0;
    let noiseRatio = 0;
    let pd = 0;
    let pf = 0;
    const idx = pick(p.size, perParam, rng);
    for (const i of idx) {
      const g = grads[k][i];
      const { fd, kink } = finiteDifference(h, p.name, i, step);
      if (kink) kinks++;
      const scale = Math.max(Math.abs(g), Math.abs(fd));
      maxRel = Math.max(maxRel, Math.abs(g - fd) / Math.max(scale, floor));
      noiseRatio = Math.max(noiseRatio, Math.abs(g - fd) / (1e-3 * scale + atol));
      pd += (g - fd) ** 2;
      pf += fd ** 2;
    }
    diffSq += pd;
    fdSq += pf;
    params.push({ name: p.name, checked: idx.length, maxRel, vecRel: Math.sqrt(pd / Math.max(pf, 1e-300)), noiseRatio });
  });
  const checked = params.reduce((n, p) => n + p.checked, 0);
  const worst = (key: 'maxRel' | 'noiseRatio') => Math.max(...params.map((p) => p[key]));
  return { name: c.name, params, maxRel: worst('maxRel'), vecRel: Math.sqrt(diffSq / fdSq), noiseRatio: worst('noiseRatio'), loss, rates, gradMax, checked, kinks, penalty };
}
