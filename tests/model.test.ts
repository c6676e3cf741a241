import { describe, expect, it } from 'vitest';
import { ModelError } from '../src/util/validate.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';

function errorOf(fn: () => unknown): ModelError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error('expected a ModelError');
}

describe('parameter validation names the field and the allowed range', () => {
  const net = () => new Network({ dt: 0.1 });
  const cases: [string, () => unknown, string, RegExp][] = [
    ['dt', () => new Network({ dt: 0 }), 'network.dt', /> 0/],
    ['seed', () => new Network({ seed: -1 }), 'network.seed', /integer in \[0, 4294967295\]/],
    ['unknown option', () => new Network({ dtt: 1 } as never), 'network.dtt', /unknown parameter; allowed: dt, seed/],
    ['negative size', () => net().addLIF('a', -3), 'populations.a.n', /integer in \[1, /],
    ['NaN tau', () => net().addLIF('a', 3, { tau_m: NaN }), 'populations.a.tau_m', /finite number/],
    ['unstable Euler step', () => net().addLIF('a', 3, { tau_m: 0.05 }), 'populations.a.tau_m', /must be >= dt \(0.1 ms\) for Euler integration, got 0.05/],
    ['negative t_ref', () => net().addLIF('a', 3, { t_ref: -1 }), 'populations.a.t_ref', />= 0/],
    ['reset above threshold', () => net().addLIF('a', 3, { v_reset: -50, v_th: -55 }), 'populations.a.v_reset', /< v_th \(-55\)/],
    ['unknown integration', () => net().addLIF('a', 3, { integration: 'rk4' as never }), 'populations.a.integration', /'euler' or 'exact'/],
    ['typo in LIF param', () => net().addLIF('a', 3, { tau: 5 } as never), 'populations.a.tau', /unknown parameter/],
    ['both threshold and v_th', () => net().addLIF('a', 3, { threshold: 1, v_th: 1 }), 'populations.a.threshold', /either/],
    ['v_init length', () => net().addLIF('a', 3, { v_init: [1, 2] }), 'populations.a.v_init', /one value per neuron \(3\)/],
    ['bad name', () => net().addLIF('1a', 3), 'population.name', /must match/],
    ['poisson rate too high', () => net().addSource('s', 2, { kind: 'poisson', rate_hz: 20000 }), 'populations.s.source.rate_hz', /\[0, 10000\) Hz/],
    ['poisson NaN rate', () => net().addSource('s', 2, { kind: 'poisson', rate_hz: [1, NaN] }), 'populations.s.source.rate_hz[1]', /finite/],
    ['negative spike time', () => net().addSource('s', 1, { kind: 'times', times: [[-1]] }), 'populations.s.source.times[0][0]', />= 0 ms/],
    ['potential beyond the model range', () => net().addLIF('a', 3, { v_rest: -1e7 }), 'populations.a.v_rest', /in \[-1000000, 1000000\], got -10000000/],
    ['current beyond the model range', () => { const n = net(); n.injectCurrent(n.addLIF('a', 3), { amplitude: [1, 3.5e38, 1] }); }, 'currents[0].amplitude[1]', /in \[-1000000, 1000000\]/],
    ['weight beyond the model range (overflows f32 on its second spike)', () => { const n = net(); const a = n.addLIF('a', 2); n.connect(a, a, { kind: 'dense', weights: [[0, -1.8e38], [0, 0]] }, { delay: 1 }); }, 'projections.a->a.connectivity.weights[0][1]', /in \[-1000000, 1000000\]/],
    ['unknown source', () => net().addSource('s', 1, { kind: 'video' } as never), 'populations.s.source.kind', /function, times, poisson/],
  ];
  for (const [what, fn, field, message] of cases) {
    it(what, () => {
      const e = errorOf(fn);
      expect(e.field).toBe(field);
      expect(e.message).toMatch(message);
    });
  }

  it('projection errors name the projection', () => {
    const n = new Network();
    const a = n.addLIF('a', 4);
    const b = n.addLIF('b', 3);
    expect(errorOf(() => n.connect(a, b, { kind: 'dense', weights: [[1, 2, 3, 4]] })).field).toBe('projections.a->b.connectivity.weights');
    expect(errorOf(() => n.connect(a, b, { kind: 'dense', weights: [[1, 2, 3, 4], [1, 2, 3, NaN], [0, 0, 0, 0]] })).field).toBe('projections.a->b.connectivity.weights[1][3]');
    expect(errorOf(() => n.connect(a, b, { kind: 'dense', weights: 3 as never })).message).toMatch(/weights: must be rows \[n_post\]\[n_pre\] or \{data, shape\}, got 3/);
    expect(errorOf(() => n.connect(a, b, { kind: 'fixed_probability', p: 1.5, weight: 1 })).message).toMatch(/p: must be in \[0, 1\]/);
    expect(errorOf(() => n.connect(a, b, { kind: 'fixed_indegree', k: 5, weight: 1 })).message).toMatch(/k: must be an integer in \[0, 4\]/);
    expect(errorOf(() => n.connect(a, b, { kind: 'one_to_one', weight: 1 })).message).toMatch(/equal population sizes/);
    expect(errorOf(() => n.connect(a, b, { kind: 'fixed_probability', p: 0.5, weight: { mean: 1, std: -1 } })).field).toBe('projections.a->b.connectivity.weight.std');
    expect(errorOf(() => n.connect(a, b, { kind: 'fixed_probability', p: 0.5, weight: { mean: 0, std: 1e38 } })).message).toMatch(/weight\.std: must be in \[-1000000, 1000000\], got 1e\+38/);
    expect(errorOf(() => n.connect(a, b, { kind: 'fixed_probability', p: 0.5, weight: 1 }, { delay: 1.5 })).field).toBe('projections.a->b.delay');
    expect(errorOf(() => n.connect(a, b, { kind: 'csr', rowPtr: [0, 1, 1, 1, 2], cols: [0, 3], weights: [1, 1] })).field).toBe('projections.a->b.connectivity.cols[1]');
    const s = n.addSource('s', 3, { kind: 'poisson', rate_hz: 1 });
    expect(errorOf(() => n.connect(a, s, { kind: 'one_to_one', weight: 1 })).message).toMatch(/must be a neuron population; s is a spike source/);
    expect(errorOf(() => n.monitorVoltage(a, [4])).field).toBe('monitors.voltage.a.indices[0]');
    expect(errorOf(() => n.injectCurrent(a, { amplitude: 1, start_ms: 5, stop_ms: 5 })).field).toBe('currents[0].stop_ms');
  });

  it('initial conductances summing to exactly -1 are refused (the step would divide by 1 + g = 0); other negative ones are allowed', () => {
    const n = new Network({ dt: 0.1 });
    n.addLIF('a', 3, { integration: 'exact', receptors: { e: { kind: 'exp_conductance', tau: 5, e_rev: 0, init: [0.5, -0.25, 0] }, i: { kind: 'exp_conductance', tau: 10, e_rev: -80, init: [0, -0.75, -3.9] } } });
    const e = errorOf(() => lowerNetwork(n));
    expect(e.field).toBe('populations.a.receptors');
    expect(e.message).toMatch(/neuron 1's initial conductances sum to exactly -1/);
    const ok = new Network({ dt: 0.1 });
    ok.addLIF('a', 2, { integration: 'exact', receptors: { i: { kind: 'exp_conductance', tau: 10, e_rev: -80, init: [-3.9, -0.5] } } });
    expect(() => lowerNetwork(ok)).not.toThrow();
  });

  it('zero-delay cycles and zero-delay self-connections are refused when lowering', () => {
    const n = new Network();
    const a = n.addLIF('a', 2);
    const b = n.addLIF('b', 2);
    n.connect(a, b, { kind: 'one_to_one', weight: 1 });
    n.connect(b, a, { kind: 'one_to_one', weight: 1 });
    expect(errorOf(() => lowerNetwork(n)).message).toMatch(/zero-delay projections form a cycle/);
    const m = new Network();
    const c = m.addLIF('c', 2);
    m.connect(c, c, { kind: 'one_to_one', weight: 1 });
    expect(errorOf(() => lowerNetwork(m)).field).toBe('projections.c->c.delay');
  });

  it('sparse weights too large for i32 accumulation are refused with the numbers', () => {
    const n = new Network();
    const s = n.addSource('s', 1000, { kind: 'poisson', rate_hz: 1 });
    const a = n.addLIF('a', 2);
    n.connect(s, a, { kind: 'fixed_indegree', k: 1000, weight: 1e5 });
    expect(errorOf(() => lowerNetwork(n)).message).toMatch(/sum to 1\.000e\+8 mV in the worst case; at most 8\.389e\+6 mV fits/);
  });
});

describe('connectivity', () => {
  it('fixed_indegree gives every target exactly k distinct sources, no autapses by default', () => {
    const n = new Network({ seed: 3 });
    const a = n.addLIF('a', 300);
    const p = n.connect(a, a, { kind: 'fixed_indegree', k: 25, weight: 1 }, { delay: 1 });
    const w = p.weights;
    if (w.kind !== 'sparse') throw new Error('expected sparse');
    const inDegree = new Map<number, Set<number>>();
    for (let j = 0; j < 300; j++) {
      for (let s = w.rowPtr[j]; s < w.rowPtr[j + 1]; s++) {
        const i = w.cols[s];
        expect(i).not.toBe(j);
        const set = inDegree.get(i) ?? new Set();
        expect(set.has(j)).toBe(false);
        set.add(j);
        inDegree.set(i, set);
      }
    }
    for (let i = 0; i < 300; i++) expect(inDegree.get(i)?.size).toBe(25);
  });

  it('fixed_probability draws about p * n_pre * n_post synapses with sorted rows', () => {
    const n = new Network({ seed: 4 });
    const a = n.addSource('s', 2000, { kind: 'poisson', rate_hz: 1 });
    const b = n.addLIF('b', 1000);
    const w = n.connect(a, b, { kind: 'fixed_probability', p: 0.01, weight: { mean: 2, std: 0.5 } }).weights;
    if (w.kind !== 'sparse') throw new Error('expected sparse');
    // Binomial(2e6, 0.01): mean 20,000, sd 141.
    expect(Math.abs(w.cols.length - 20_000)).toBeLessThan(700);
    for (let j = 0; j < 2000; j++) for (let s = w.rowPtr[j] + 1; s < w.rowPtr[j + 1]; s++) expect(w.cols[s]).toBeGreaterThan(w.cols[s - 1]);
    const mean = w.weights.reduce((x, y) => x + y, 0) / w.weights.length;
    const sd = Math.sqrt(w.weights.reduce((x, y) => x + (y - mean) ** 2, 0) / w.weights.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeCloseTo(0.5, 1);
  });

  it('dense weights keep the chapter shape (n_post, n_pre) and are stored pre-major', () => {
    const n = new Network();
    const a = n.addSource('s', 3, { kind: 'poisson', rate_hz: 1 });
    const b = n.addLIF('b', 2);
    const w = n.connect(a, b, { kind: 'dense', weights: [[1, 2, 3], [4, 5, 6]] }).weights;
    if (w.kind !== 'dense') throw new Error('expected dense');
    expect(Array.from(w.w)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(n.synapseCount).toBe(6);
  });

  it('the same seed builds the same network; another seed a different one', () => {
    const build = (seed: number) => {
      const n = new Network({ seed });
      const a = n.addLIF('a', 100);
      const w = n.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: { mean: 0, std: 1 } }, { delay: 1 }).weights;
      return w.kind === 'sparse' ? [Array.from(w.cols), Array.from(w.weights)] : [];
    };
    expect(build(1)).toEqual(build(1));
    expect(build(1)).not.toEqual(build(2));
  });
});

describe('lowering', () => {
  it('orders populations topologically over zero-delay projections', () => {
    const n = new Network();
    const c = n.addLIF('c', 1);
    const b = n.addLIF('b', 1);
    const a = n.addSource('a', 1, { kind: 'poisson', rate_hz: 1 });
    n.connect(b, c, { kind: 'one_to_one', weight: 1 });
    n.connect(a, b, { kind: 'one_to_one', weight: 1 });
    n.connect(c, b, { kind: 'one_to_one', weight: 1 }, { delay: 1 });
    expect(lowerNetwork(n).order.map((p) => p.name)).toEqual(['a', 'b', 'c']);
  });

  it('picks the finest fixed-point scale that cannot overflow, and quantizes with it', () => {
    const n = new Network();
    const s = n.addSource('s', 10, { kind: 'poisson', rate_hz: 1 });
    const a = n.addLIF('a', 1);
    n.connect(s, a, { kind: 'fixed_indegree', k: 10, weight: 1000.3 });
    const plan = lowerNetwork(n);
    const S = plan.byId[a.id].inputFixedLog2;
    // 10 synapses of ~1000 mV: 10^4 * 2^S must stay below 2^31.
    expect(S).toBe(17);
    expect(plan.projections[0].csr!.weights[0]).toBe(Math.round(Math.fround(1000.3) * 2 ** 17));
  });
});
