/**
 * The whole backward pass is the gradient of the forward pass: for small models of every layer
 * kind (dense, conv2d, pool avg/sum/max, flatten, lif, cuba-lif, if, li, recurrent lif), every
 * readout (mean, max, count), both losses and activity regularisation (tests/train/cases.ts), the parameter gradients
 * that SpikingModel.backward accumulates agree with central finite differences of the loss
 * (tests/train/gradcheck.ts). Smooth sigmoid spikes + the sigmoid surrogate of the same scale make
 * the surrogate the exact derivative, so the only differences are f32 rounding and O(h^2).
 * A detached reset (snnTorch's default) is shown to be an approximation: it disagrees.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { NeuronConstants, NeuronGradTensors, NeuronLayout, NeuronTensors, PoolGeometry, Tensor } from '../src/train/backend.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { ceMean, layerCases, lif, mlp } from './train/cases.js';
import { gradCheck, type GradCase, type GradCheckResult } from './train/gradcheck.js';

/** Smooth spikes with the sigmoid surrogate of the same scale (gradcheck.ts's defaults, stated here). */
const CASES: GradCase[] = layerCases({ smoothSpikes: true, surrogate: { kind: 'sigmoid', scale: 4 } });

function row(r: GradCheckResult): string {
  const rates = r.rates.map((x) => x.toFixed(2)).join('/');
  const e = (x: number) => x.toExponential(1);
  return `| ${r.name} | ${r.checked} | ${e(r.maxRel)} | ${e(r.vecRel)} | ${r.noiseRatio.toFixed(2)} | ${e(r.gradMax)} | ${r.loss.toFixed(3)} | ${rates} |`;
}

/**
 * h = 1e-2 balances the two errors (sweep of h = 3e-2, 1e-2, 3e-3, 1e-3, worst ||g-fd||/||fd||:
 * 7e-2, 2.8e-4, 4.5e-4, 1.5e-3): larger h crosses max-readout branches and grows O(h^2); smaller h
 * grows the f32 noise, about 1 ulp of L per evaluation over h. GRADCHECK_H overrides it.
 */
const H = Number(process.env.GRADCHECK_H ?? 1e-2);

describe('training gradients against finite differences (smooth spikes, sigmoid surrogate)', () => {
  const table: string[] = [];
  afterAll(() => {
    console.log(['| case | entries | max rel | ||g-fd||/||fd|| | noise ratio | max |g| | loss | spike rates |', '|---|---|---|---|---|---|---|---|', ...table].join('\n'));
  });
  for (const c of CASES) {
    it(c.name, () => {
      const r = gradCheck(c, { h: H });
      table.push(row(r));
      // No finite difference straddled a max branch switch (the max is piecewise linear).
      expect(r.kinks).toBe(0);
      // The whole checked gradient: O(h^2) truncation plus f32 noise, measured <= 3e-4.
      expect(r.vecRel).toBeLessThan(1e-3);
      // Every entry: |g - fd| <= 1e-3 max(|g|, |fd|) + 4 ulp(L) / h (gradcheck.ts).
      expect(r.noiseRatio).toBeLessThan(1);
      // Norm-floored per-entry error (floor 1e-3 max |g|): dominated by the f32 noise of tiny entries, measured <= 6.5e-2.
      expect(r.maxRel).toBeLessThan(0.15);
      if (r.penalty) expect(r.penalty.hook).toBeCloseTo(r.penalty.independent, 6);
      // The models are in a regime where the spikes matter (neither silent nor saturated).
      for (const rate of r.rates) expect(rate).toBeGreaterThan(0.05);
    });
  }
});

describe('a detached reset is an approximation of the gradient', () => {
  for (const reset of ['subtract', 'zero'] as const) {
    it(`reset ${reset}: detachReset true disagrees with finite differences, false agrees`, () => {
      const base: GradCase = { name: `detach ${reset}`, spec: mlp(lif(reset, 0.3), { steps: 5 }), loss: ceMean, batch: 3 };
      const exact = gradCheck(base, { h: H });
      const detached = gradCheck({ ...base, spec: { ...base.spec, detachReset: true } }, { h: H });
      console.log(`detach ${reset}: exact ||g-fd||/||fd|| ${exact.vecRel.toExponential(2)}, detached ${detached.vecRel.toExponential(2)} (max rel ${detached.maxRel.toExponential(2)})`);
      expect(exact.vecRel).toBeLessThan(1e-3);
      // The forward pass (and so the finite differences) is the same; only the backward drops the reset's path.
      expect(detached.loss).toBe(exact.loss);
      // Measured 4e-2 (subtract) and 1.5e-2 (zero): 300x to 1000x the exact backward's error.
      expect(detached.vecRel).toBeGreaterThan(1e-2);
      expect(detached.vecRel).toBeGreaterThan(100 * exact.vecRel);
    });
  }
});

/** Deliberate slips in the backward pass, which the check must catch. */
class SlippedBackend extends CpuTrainBackend {
  constructor(private readonly slip: 'cuba decay' | 'max pool route') {
    super();
  }

  override neuronBackward(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, g: NeuronGradTensors, t0: number, t1: number): void {
    // The synaptic current's gradient decayed with the membrane's beta instead of alpha.
    super.neuronBackward(this.slip === 'cuba decay' ? { ...c, alpha: c.beta } : c, layout, t, g, t0, t1);
  }

  override poolBackward(dy: Tensor, dx: Tensor, argmax: Tensor, g: PoolGeometry): void {
    // Every window's gradient routed to its first element instead of its maximum.
    if (this.slip === 'max pool route') this.fill(argmax, 0);
    super.poolBackward(dy, dx, argmax, g);
  }
}

describe('the check is sensitive', () => {
  it('a synaptic gradient decayed with beta instead of alpha fails it', () => {
    const c = CASES.find((k) => k.name === 'cuba-lif subtract')!;
    const r = gradCheck({ ...c, backend: new SlippedBackend('cuba decay') }, { h: H });
    console.log(`cuba decay slip: ||g-fd||/||fd|| ${r.vecRel.toExponential(2)}, noise ratio ${r.noiseRatio.toFixed(1)}`);
    expect(r.vecRel).toBeGreaterThan(1e-2);
    expect(r.noiseRatio).toBeGreaterThan(10);
  });

  it('a max-pool gradient routed to the wrong element fails it', () => {
    const c = CASES.find((k) => k.name === 'conv-lif(zero)-maxpool, max readout')!;
    const r = gradCheck({ ...c, backend: new SlippedBackend('max pool route') }, { h: H });
    console.log(`max pool slip: ||g-fd||/||fd|| ${r.vecRel.toExponential(2)}, noise ratio ${r.noiseRatio.toFixed(1)}`);
    expect(r.vecRel).toBeGreaterThan(1e-2);
    expect(r.noiseRatio).toBeGreaterThan(10);
  });
});
