/**
 * The GPU neuron kernels (shaders/train/gpu/neuron_forward.wgsl, neuron_backward.wgsl, hosted by
 * GpuTrainBackend) against the CPU twin (src/train/cpu/neuron.ts, neuronForward / neuronBackward):
 * every model x reset x surrogate with the Heaviside spike, bit for bit (on SwiftShader); a
 * time-invariant input (gradient accumulated over t into what gradInput held); a sequence run
 * step by step in single-step calls equal to one call over the whole range (forward ascending,
 * backward descending, state carried in vState/aState and gvState/gaState); and the smooth
 * sigmoid spike, whose exp makes it agree within a stated tolerance.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { NeuronConstants, NeuronLayout, NeuronModel, ResetMode, SurrogateKind, Tensor } from '../src/train/backend.js';
import { testGpu } from './helpers.js';
import { backendPair, countSpikes, expectSameBits, expectUlps, randomValues, type BackendPair } from './train-gpu-helpers.js';

afterAll(async () => (await testGpu())?.release());

let shared: Promise<BackendPair> | undefined;
const pair = () => (shared ??= backendPair());

const f = Math.fround;
const MODELS: NeuronModel[] = ['lif', 'cuba-lif', 'if', 'li'];
const RESETS: ResetMode[] = ['subtract', 'zero'];
const SURROGATES: [SurrogateKind, number][] = [
  ['fast-sigmoid', 10],
  ['arctan', 2],
  ['triangle', 1],
  ['sigmoid', 4],
];

function constants(model: NeuronModel, reset: ResetMode, surrogate: SurrogateKind, scale: number, detachReset: boolean, smoothSpikes = false): NeuronConstants {
  const beta = f(Math.exp(-1 / 5));
  return { model, beta, oneMinusBeta: f(1 - beta), alpha: f(Math.exp(-1 / 3)), coef: f(0.45), threshold: 1, reset, surrogate, scale, smoothSpikes, detachReset };
}

type Both = { c: Tensor; g: Tensor };
/** What the forward pass writes: exact even with the sigmoid surrogate, which only the backward pass uses. */
const FORWARD = ['v', 's', 'vState', 'aState'];
/** Input scale per model: a leaky membrane averages its input, so LIF needs more drive to fire; IF sums it. */
const DRIVE: Record<NeuronModel, number> = { lif: 2.2, 'cuba-lif': 1, if: 0.5, li: 1 };

/** A layer's tensors on both backends: seeded input and output gradient, zero state. */
function layerTensors(p: BackendPair, layout: NeuronLayout, seed: number, inputScale: number) {
  const { outer, steps, inner, staticInput } = layout;
  const seq = outer * steps * inner;
  const n = outer * inner;
  // Inputs in (-0.4, 1.2) * scale: neurons near threshold both fire and stay silent.
  const input = randomValues(staticInput ? n : seq, seed).map((x) => (x * 0.8 + 0.4) * inputScale);
  return {
    input: p.same(input),
    v: p.same(seq),
    s: p.same(seq),
    vState: p.same(n),
    aState: p.same(n),
    gradOut: p.same(randomValues(seq, seed + 1, 1, 2)),
    // A static input's gradient is added to what is there.
    gradInput: p.same(staticInput ? randomValues(n, seed + 2) : new Float32Array(seq)),
    gvState: p.same(n),
    gaState: p.same(n),
  };
}
type Layer = ReturnType<typeof layerTensors>;

const side = (l: Layer, k: 'c' | 'g') => ({
  t: { input: l.input[k], v: l.v[k], s: l.s[k], vState: l.vState[k], aState: l.aState[k] },
  g: { gradOut: l.gradOut[k], gradInput: l.gradInput[k], gvState: l.gvState[k], gaState: l.gaState[k] },
});

/** Every tensor the ops write, read from both backends. */
async function outputs(p: BackendPair, l: Layer, model: NeuronModel): Promise<[string, { cpu: Float32Array; gpu: Float32Array }][]> {
  const names: (keyof Layer)[] = ['v', 'vState', 'gradInput', 'gvState'];
  if (model !== 'li') names.push('s');
  if (model === 'cuba-lif') names.push('aState', 'gaState');
  return Promise.all(names.map(async (name) => [name, await p.results(l[name] as Both)] as [string, { cpu: Float32Array; gpu: Float32Array }]));
}

describe('neuron_forward and neuron_backward, Heaviside spikes: bit for bit', () => {
  const cases = MODELS.flatMap((model) => RESETS.flatMap((reset) => SURROGATES.map(([surrogate, scale], k) => ({ model, reset, surrogate, scale, detach: k % 2 === 1 }))));
  it.each(cases)('$model, $reset reset, $surrogate surrogate (detached reset: $detach)', async ({ model, reset, surrogate, scale, detach }) => {
    const p = await pair();
    const c = constants(model, reset, surrogate, scale, detach);
    const layout: NeuronLayout = { outer: 3, steps: 12, inner: 40, staticInput: false };
    const l = layerTensors(p, layout, 100, DRIVE[model]);
    for (const k of ['c', 'g'] as const) {
      const backend = k === 'c' ? p.cpu : p.gpu;
      const { t, g } = side(l, k);
      backend.neuronForward(c, layout, t, 0, layout.steps);
      backend.neuronBackward(c, layout, t, g, 0, layout.steps);
    }
    for (const [name, r] of await outputs(p, l, model)) {
      if (surrogate !== 'sigmoid' || model === 'li' || FORWARD.includes(name)) expectSameBits(p.gpuCtx, name, r.cpu, r.gpu);
      // The sigmoid surrogate g = k sg (1 - sg) goes through exp (within 3 + 2|k u| ulps in WGSL,
      // |k u| <= ~12 here: 27 ulps, 3.2e-6 relative in g). A gradient is a sum over later steps of
      // d g times factors <= 1 in magnitude (beta, alpha, r), so its error stays below ~3.2e-6 of
      // the sum of its terms' magnitudes, which is within a few times the largest gradient: 1e-5
      // of the largest |value| of the array bounds it (cancellation leaves small values few exact bits).
      else expectUlps(name, r.cpu, r.gpu, 0, 1e-5 * r.cpu.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
    }
    if (model !== 'li') {
      // The inputs exercise both branches of the spike and of the reset.
      const spikes = countSpikes(await p.gpu.read(l.s.g));
      expect(spikes.ones).toBeGreaterThan(50);
      expect(spikes.zeros).toBeGreaterThan(50);
    }
  });
});

describe('time-invariant input (gradient summed over t into gradInput)', () => {
  it.each(MODELS)('%s: bit for bit', async (model) => {
    const p = await pair();
    const c = constants(model, 'subtract', 'arctan', 2, false);
    const layout: NeuronLayout = { outer: 2, steps: 15, inner: 33, staticInput: true };
    const l = layerTensors(p, layout, 200, DRIVE[model]);
    for (const k of ['c', 'g'] as const) {
      const backend = k === 'c' ? p.cpu : p.gpu;
      const { t, g } = side(l, k);
      backend.neuronForward(c, layout, t, 0, layout.steps);
      backend.neuronBackward(c, layout, t, g, 0, layout.steps);
    }
    for (const [name, r] of await outputs(p, l, model)) expectSameBits(p.gpuCtx, name, r.cpu, r.gpu);
    // The accumulated gradient moved away from its starting values.
    const start = randomValues(2 * 33, 202);
    expect((await p.gpu.read(l.gradInput.g)).filter((x, k) => x !== start[k]).length).toBeGreaterThan(60);
  });
});

describe('a sequence in single-step calls equals one call over the whole range', () => {
  it.each(MODELS)('%s: forward t = 0, 1, ..., backward t = T-1, ..., 0 on the GPU vs one call on the CPU', async (model) => {
    const p = await pair();
    const c = constants(model, 'zero', 'fast-sigmoid', 10, false);
    const layout: NeuronLayout = { outer: 1, steps: 9, inner: 70, staticInput: false };
    const l = layerTensors(p, layout, 300, DRIVE[model]);
    const cpu = side(l, 'c');
    p.cpu.neuronForward(c, layout, cpu.t, 0, 9);
    p.cpu.neuronBackward(c, layout, cpu.t, cpu.g, 0, 9);
    const gpu = side(l, 'g');
    for (let t0 = 0; t0 < 9; t0++) p.gpu.neuronForward(c, layout, gpu.t, t0, t0 + 1);
    for (let t0 = 8; t0 >= 0; t0--) p.gpu.neuronBackward(c, layout, gpu.t, gpu.g, t0, t0 + 1);
    for (const [name, r] of await outputs(p, l, model)) expectSameBits(p.gpuCtx, name, r.cpu, r.gpu);
  });

  it('an empty range (t0 = t1) changes nothing', async () => {
    const p = await pair();
    const c = constants('cuba-lif', 'subtract', 'triangle', 1, false);
    const layout: NeuronLayout = { outer: 1, steps: 4, inner: 5, staticInput: false };
    const l = layerTensors(p, layout, 400, 1);
    p.gpu.write(l.vState.g, Float32Array.from([1, 2, 3, 4, 5]));
    const gpu = side(l, 'g');
    p.gpu.neuronForward(c, layout, gpu.t, 2, 2);
    p.gpu.neuronBackward(c, layout, gpu.t, gpu.g, 3, 3);
    expect([...(await p.gpu.read(l.vState.g))]).toEqual([1, 2, 3, 4, 5]);
    expect([...(await p.gpu.read(l.v.g))]).toEqual(new Array(20).fill(0));
  });
});

describe('smooth (sigmoid) spikes: within the tolerance of WGSL exp', () => {
  it.each(MODELS.filter((m) => m !== 'li'))('%s', async (model) => {
    const p = await pair();
    const c = constants(model, 'subtract', 'sigmoid', 4, false, true);
    const layout: NeuronLayout = { outer: 2, steps: 12, inner: 50, staticInput: false };
    const l = layerTensors(p, layout, 500, DRIVE[model]);
    for (const k of ['c', 'g'] as const) {
      const backend = k === 'c' ? p.cpu : p.gpu;
      const { t, g } = side(l, k);
      backend.neuronForward(c, layout, t, 0, layout.steps);
      backend.neuronBackward(c, layout, t, g, 0, layout.steps);
    }
    // s = 1 / (1 + exp(-k u)) with WGSL's exp within 3 + 2|k u| ulps: |k u| stays below ~10 here,
    // so s is off by at most ~23 ulps of 1 (1.4e-6). Each step feeds s back into v through the
    // reset (v - threshold s) and v into the next s (ds/dv <= k/4 = 1), so over T = 12 steps
    // (no leak for if, less with it) the error stays below 12 * 2 * 1.4e-6 ~ 3.4e-5 in v and s:
    // 1e-4 absolute. The gradients go through the same s, v and the sigmoid surrogate (exp again)
    // and are O(1): 1e-4 absolute there too.
    for (const [name, r] of await outputs(p, l, model)) expectUlps(name, r.cpu, r.gpu, 0, 1e-4);
  });
});
