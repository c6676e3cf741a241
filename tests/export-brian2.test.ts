/**
 * The explicit form of a network (src/interop/explicit.ts) and its Brian2 export
 * (src/interop/brian2): the exported script runs in Brian2 (Debian's /usr/bin/python3) and is
 * compared with our CPU backend. Single neurons must give the same membrane trace (float32 here
 * against Brian2's float64) and the same spike steps; the Vogels-Abbott networks must give the
 * identical spikes until chaos separates the two runs, and rates and CVs within the spread of our
 * own runs; the Izhikevich network (Poisson-driven, Brian2's own draws) the same statistics.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { exportBrian2 } from '../src/interop/brian2/index.js';
import { encodeNpy } from '../src/interop/brian2/npy.js';
import { explicitNetwork } from '../src/interop/explicit.js';
import { Network } from '../src/model/network.js';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { refusal } from './helpers.js';
import { everyModelNetwork, expCurrentNeuron, izhikevichNetwork } from './peers/networks.js';
import { brian2Available, PYTHON, readSpikes, readVoltage, removeExports, runIn, trains, writeExport } from './peers/python.js';
import { rebuildFromExplicit } from './peers/rebuild.js';
import { ksDistance, ourTrains, seedBand, trainStats } from './peers/stats.js';

describe('explicit form', () => {
  it('lists dense, sparse and procedural synapses as the engine delivers them, with delays', () => {
    const net = new Network({ dt: 0.1, seed: 9 });
    const src = net.addSource('src', 3, { kind: 'times', times: [[1, 1.04, 5], [0.06, 20], []] });
    const a = net.addLIF('a', 200, { integration: 'exact', v_init: Array.from({ length: 200 }, (_, i) => -70 + (i % 20)), receptors: { e: { kind: 'exp_current', tau: 5, init: 0.5 }, i: { kind: 'delta' } } });
    const b = net.addLIF('b', 2, { t_ref: 2 });
    net.connect(src, b, { kind: 'dense', weights: [[1, 0, 2.5], [0, -3, 4]] }, { delay: 2 });
    net.connect(a, a, { kind: 'fixed_probability', p: 0.05, weight: 0.5, procedural: true }, { receptor: 'e', delay: 1, name: 'proc' });
    net.connect(a, b, { kind: 'fixed_indegree', k: 30, weight: { mean: 1, std: 0.25 } }, { delays: { low: 1, high: 7 } });
    net.connect(src, a, { kind: 'fixed_probability', p: 0.5, weight: 2.25 }, { receptor: 'i', delay: 3 });
    net.injectCurrent(a, { amplitude: 12, start_ms: 1, stop_ms: 3.1 });
    net.addPoissonInput(a, { count: 50, rate_hz: 40, weight: 0.25, receptor: 'e' });
    net.monitorSpikes(a);
    net.monitorVoltage(b, [1]);
    const x = explicitNetwork(net);

    // Dense [post][pre] walked pre-major: pre 0 -> posts 0, 1; pre 1; pre 2.
    const dense = x.projections[0];
    expect(dense.connectivity).toBe('dense');
    expect(Array.from(dense.preIndex)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(dense.postIndex)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(dense.weight)).toEqual([1, 0, 0, -3, 2.5, 4]);
    expect(dense.delay).toBe(2);
    const dropped = explicitNetwork(net, { omitZeroWeights: true }).projections[0];
    expect(Array.from(dropped.weight)).toEqual([1, -3, 2.5, 4]);
    expect(Array.from(dropped.preIndex)).toEqual([0, 1, 2, 2]);

    // Procedural rows are the engine's draw: about p n^2 synapses, no autapses, ascending posts per row.
    const proc = x.projections[1];
    expect(proc.connectivity).toBe('procedural');
    expect(proc.weight.length).toBeGreaterThan(0.05 * 200 * 199 * 0.85);
    expect(proc.weight.length).toBeLessThan(0.05 * 200 * 199 * 1.15);
    for (let s = 0; s < proc.weight.length; s++) expect(proc.preIndex[s] === proc.postIndex[s]).toBe(false);
    expect(proc.receptorName).toBe('e');

    // Sparse: CSR order, one delay per synapse within [1, 7], 30 inputs per target.
    const sparse = x.projections[2];
    const w = net.projections[2].weights;
    if (w.kind !== 'sparse') throw new Error('expected sparse');
    expect(Array.from(sparse.postIndex)).toEqual(Array.from(w.cols));
    expect(Array.from(sparse.weight)).toEqual(Array.from(w.weights));
    expect(sparse.delay).toBeInstanceOf(Uint16Array);
    const d = Array.from(sparse.delay as Uint16Array);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...d)).toBeLessThanOrEqual(7);
    expect(new Set(d).size).toBe(7);
    expect(sparse.postIndex.filter((i) => i === 1).length).toBe(30);

    // Sources: times rounded to steps, duplicates within a step merged, sorted by step.
    const s = x.populations[0];
    if (s.kind !== 'source' || s.source.kind !== 'times') throw new Error('expected spike times');
    expect(Array.from(s.source.step)).toEqual([1, 10, 50, 200]);
    expect(Array.from(s.source.neuron)).toEqual([1, 0, 0, 1]);
    // Populations with their per-neuron state.
    const pa = x.populations[1];
    if (pa.kind !== 'neuron') throw new Error('expected neurons');
    expect(pa.v_init[13]).toBe(-57);
    expect(pa.receptors.map((r) => [r.name, r.spec.kind, r.init[7]])).toEqual([
      ['e', 'exp_current', 0.5],
      ['i', 'delta', 0],
    ]);
    expect((x.populations[2] as { refractorySteps: number }).refractorySteps).toBe(20);
    expect(x.currents).toEqual([{ population: 1, amplitude: 12, startStep: 10, stopStep: 31 }]);
    expect(x.poissonInputs[0]).toMatchObject({ population: 1, receptorName: 'e', count: 50, rate_hz: 40, weight: 0.25 });
    expect(x.poissonInputs[0].lambda).toBeCloseTo(0.2, 12);
    expect(x.spikeMonitors).toEqual([1]);
    expect(Array.from(x.voltageMonitors[0].indices)).toEqual([1]);

    // Rebuilt from these lists (procedural as stored CSR), the network spikes identically.
    const steps = 600;
    const original = ourTrains(net, steps);
    expect(original.flat().length).toBeGreaterThan(50);
    expect(ourTrains(rebuildFromExplicit(x), steps)).toEqual(original);
  });

  it('evaluates function sources over duration_ms, and refuses crossbars unless asked for their target weights', () => {
    const net = new Network({ dt: 0.5 });
    const f = net.addSource('f', 2, { kind: 'function', fn: (t) => [t === 1 ? 1 : 0, t >= 2 ? 1 : 0] });
    const post = net.addLIF('post', 2);
    net.connect(f, post, { kind: 'crossbar', weight: 1.5 }, { name: 'xbar' });
    expect(refusal(() => explicitNetwork(net, { crossbar: 'target' }))).toBe('populations.f.source');
    expect(refusal(() => explicitNetwork(net, { duration_ms: 3 }))).toBe('projections.xbar.connectivity');
    const x = explicitNetwork(net, { duration_ms: 3, crossbar: 'target' });
    const src = x.populations[0];
    if (src.kind !== 'source' || src.source.kind !== 'times') throw new Error('expected spike times');
    expect(Array.from(src.source.step)).toEqual([2, 4, 5]);
    expect(Array.from(src.source.neuron)).toEqual([0, 1, 1]);
    expect(Array.from(x.projections[0].weight)).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(x.warnings.join()).toMatch(/xbar: crossbar exported as its target weights/);
    expect(refusal(() => explicitNetwork(net, { crossbar: 'programmed' as 'target' }))).toBe('explicit.crossbar');
    // A parameter the model gains later is refused until the explicit form carries it.
    const later = new Network();
    const pop = later.addLIF('p', 1, { receptors: { r: { kind: 'exp_current', tau: 2 } } });
    (pop.params as unknown as Record<string, unknown>).noise_sigma = 1;
    expect(refusal(() => explicitNetwork(later))).toBe('populations.p.noise_sigma');
    delete (pop.params as unknown as Record<string, unknown>).noise_sigma;
    (pop.params.receptors.r as unknown as Record<string, unknown>).depression = 0.5;
    expect(refusal(() => explicitNetwork(later))).toBe('populations.p.receptors.r.depression');
  });
});

describe('Brian2 export: refusals and warnings', () => {
  it('refuses plasticity, crossbars and bad options; warns about zero delays', () => {
    const net = new Network({ dt: 0.1 });
    const a = net.addSource('a', 2, { kind: 'poisson', rate_hz: 10 });
    const b = net.addLIF('b', 2);
    net.connect(a, b, { kind: 'fixed_probability', p: 1, weight: 1 }, { name: 'learns', plasticity: { rule: 'stdp', w_max: 2 } });
    expect(refusal(() => exportBrian2(net, { duration_ms: 10 }))).toBe('projections.learns.plasticity');
    const plain = new Network({ dt: 0.1 });
    const s = plain.addSource('s', 2, { kind: 'times', times: [[1], [2]] });
    const n = plain.addLIF('n', 2);
    plain.connect(s, n, { kind: 'one_to_one', weight: 3 }, { name: 'now' });
    expect(refusal(() => exportBrian2(plain, { duration_ms: -1 }))).toBe('brian2.duration_ms');
    expect(refusal(() => exportBrian2(plain, { duration_ms: 5, steps: 3 } as never))).toBe('brian2.steps');
    const { files, warnings } = exportBrian2(plain, { duration_ms: 5 });
    expect(warnings.join('\n')).toMatch(/projection now: delay 0 .* one step \(dt\) later/);
    expect(warnings.join('\n')).toMatch(/no population has a spike monitor/);
    expect(files.get('model.py')).toContain('syn_now.delay = 0 * dt');
    plain.connect(n, n, { kind: 'crossbar', weight: 1 }, { name: 'xb', delay: 1 });
    expect(refusal(() => exportBrian2(plain, { duration_ms: 5 }))).toBe('projections.xb.connectivity');
  });

  it('writes .npy files numpy reads', () => {
    const bytes = encodeNpy(Float32Array.of(1.5, -2), [2]);
    expect(new TextDecoder().decode(bytes.subarray(1, 6))).toBe('NUMPY');
    const start = 10 + (bytes[8] | (bytes[9] << 8));
    expect(start % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, start))).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2,\), \} *\n$/);
    expect(new Float32Array(bytes.slice(start).buffer)).toEqual(Float32Array.of(1.5, -2));
    expect(() => encodeNpy(Float32Array.of(1, 2, 3), [2, 2])).toThrow(/shape/);
  });
});

const brian = brian2Available();

/** Runs an export's model.py (numpy target: no compiler, no cache) and returns its folder. */
async function runExport(files: Map<string, string | Uint8Array>, name: string): Promise<string> {
  const dir = writeExport(files, `brian2-${name}`);
  const { seconds } = await runIn(dir, PYTHON, ['model.py', '--target', 'numpy']);
  console.log(`[brian2] ${name}: ${seconds.toFixed(1)} s`);
  return dir;
}

describe.skipIf(!brian)('Brian2 export run in Brian2', () => {
  const SECONDS = 1;
  const runs = new Map<string, Promise<string>>();
  afterAll(async () => {
    await Promise.allSettled(runs.values());
    removeExports();
  });
  beforeAll(() => {
    // Every Brian2 process starts at once (the runs take 3-15 s each); the tests await theirs.
    runs.set('trace', runExport(exportBrian2(expCurrentNeuron(), { duration_ms: 100 }).files, 'trace'));
    runs.set('models', runExport(exportBrian2(everyModelNetwork(), { duration_ms: 100 }).files, 'models'));
    for (const model of ['cuba', 'coba'] as const) runs.set(model, runExport(exportBrian2(vogelsAbbott({ model, seed: 1 }), { duration_ms: SECONDS * 1000 }).files, model));
    runs.set('izhikevich', runExport(exportBrian2(izhikevichNetwork(1), { duration_ms: SECONDS * 1000 }).files, 'izhikevich'));
    for (const p of runs.values()) p.catch(() => undefined); // reported by the test that awaits it
  });

  /** Largest |v_ours - v_brian2| over every step, and both spike trains, for each monitored neuron population. */
  async function compareTraces(net: Network, key: string, steps: number) {
    const dir = await runs.get(key)!;
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.runSync(steps);
    const v = readVoltage(join(dir, 'voltage.csv'));
    const spikes = readSpikes(join(dir, 'spikes.csv'));
    expect(v.time.length).toBe(steps);
    expect(v.time[0]).toBeCloseTo(net.dt, 9);
    return [...net.voltageMonitors.keys()].map((id) => {
      const name = net.populations[id].name;
      const ours = sim.voltage(name).trace(0);
      const theirs = v.columns.get(`${name}[0]`)!;
      let worst = 0;
      for (let s = 0; s < steps; s++) worst = Math.max(worst, Math.abs(ours[s] - theirs[s]));
      const ourSteps = sim.spikes(name).spikeTimes(0).map((t) => Math.round(t / net.dt));
      const theirSteps = (spikes.get(name) ?? []).map((e) => Math.round(e.time / net.dt));
      return { name, worst, ourSteps, theirSteps };
    });
  }

  it('one exp_current LIF neuron under spike input: the same trace within 2e-4 mV at every step, the same spike steps', async () => {
    const [r] = await compareTraces(expCurrentNeuron(), 'trace', 1000);
    console.log('exp_current neuron', r);
    expect(r.ourSteps.length, 'the input must make the neuron fire').toBeGreaterThan(0);
    expect(r.theirSteps).toEqual(r.ourSteps);
    // Measured 2.7e-5 mV: our float32 against Brian2's float64.
    expect(r.worst).toBeLessThan(2e-4);
  });

  it('every mapped model and receptor (current, delta, exp_current, exp_conductance; euler, exact, no leak, subtract, adaptive threshold, Izhikevich, AdEx; timed currents)', async () => {
    const results = await compareTraces(everyModelNetwork(), 'models', 1000);
    for (const r of results) {
      console.log(r.name, { worst: r.worst, spikes: r.ourSteps.length });
      expect(r.ourSteps.length, `${r.name} must fire`).toBeGreaterThan(0);
      expect(r.theirSteps, r.name).toEqual(r.ourSteps);
      // LIF: float32 against float64, measured <= 9e-5 mV. Izhikevich and AdEx amplify rounding
      // on the upswing of a spike (measured 4.6e-4 and 8.9e-4 mV).
      expect(r.worst, r.name).toBeLessThan(['izh', 'adex'].includes(r.name) ? 2e-3 : 3e-4);
    }
  });

  for (const model of ['cuba', 'coba'] as const) {
    it(`${model}: identical spikes for the first 50 ms, then rate and CV within the spread of our seeds`, async () => {
      const steps = SECONDS * 10000;
      const dir = await runs.get(model)!;
      const spikes = readSpikes(join(dir, 'spikes.csv'));
      const theirs = trainStats([...trains(spikes.get('exc'), 3200), ...trains(spikes.get('inh'), 800)], SECONDS);
      const seeds = [1, 2, 3].map((seed) => ourTrains(vogelsAbbott({ model, seed }), steps));
      const ours = seeds.map((t) => trainStats(t, SECONDS));
      // The same network (seed 1) and initial state: chaos amplifies float32 against float64
      // rounding, but the first tens of milliseconds must be spike for spike the same.
      const early = (t: number[][]) => t.flatMap((ts, i) => ts.filter((x) => x < 50).map((x) => `${Math.round(x * 10)}:${i}`)).sort();
      const ourEarly = early(seeds[0]);
      expect(ourEarly.length).toBeGreaterThan(100);
      expect(early([...trains(spikes.get('exc'), 3200), ...trains(spikes.get('inh'), 800)])).toEqual(ourEarly);
      // Band: our three seeds' range, widened by max(range, 3 % of the mean). Three seeds
      // understate the spread: the same CUBA network with v_init moved by 1e-4 mV ranged over
      // 5.34-5.50 Hz (measured), seeds 1-3 over 5.49-5.52 Hz.
      const rateBand = seedBand(ours.map((s) => s.meanRate), 0.03);
      const cvBand = seedBand(ours.map((s) => s.meanCv), 0.03);
      const ks = ksDistance(theirs.rates, ours[0].rates);
      const ksSeeds = Math.max(ksDistance(ours[0].rates, ours[1].rates), ksDistance(ours[0].rates, ours[2].rates), ksDistance(ours[1].rates, ours[2].rates));
      console.log(JSON.stringify({ model, brian2: { rate: theirs.meanRate, cv: theirs.meanCv }, ours: ours.map((s) => ({ rate: s.meanRate, cv: s.meanCv })), rateBand, cvBand, ks, ksSeeds }));
      expect(theirs.meanRate).toBeGreaterThan(rateBand[0]);
      expect(theirs.meanRate).toBeLessThan(rateBand[1]);
      expect(theirs.meanCv).toBeGreaterThan(cvBand[0]);
      expect(theirs.meanCv).toBeLessThan(cvBand[1]);
    });
  }

  it('Izhikevich network (per-synapse delays, Poisson sources and inputs): rate and CV within the spread of our seeds', async () => {
    const steps = SECONDS * 10000;
    const dir = await runs.get('izhikevich')!;
    const spikes = readSpikes(join(dir, 'spikes.csv'));
    const theirs = trainStats([...trains(spikes.get('exc'), 800), ...trains(spikes.get('inh'), 200)], SECONDS);
    const ours = [1, 2, 3].map((seed) => trainStats(ourTrains(izhikevichNetwork(seed), steps), SECONDS));
    // Brian2 draws its own Poisson spikes: the same network with other draws of ours ranged over
    // 9.39-9.65 Hz (measured), three seeds over 9.46-9.49 Hz: hence the 3 % floor.
    const rateBand = seedBand(ours.map((s) => s.meanRate), 0.03);
    const cvBand = seedBand(ours.map((s) => s.meanCv), 0.03);
    const ks = ksDistance(theirs.rates, ours[0].rates);
    console.log(JSON.stringify({ model: 'izhikevich', brian2: { rate: theirs.meanRate, cv: theirs.meanCv }, ours: ours.map((s) => ({ rate: s.meanRate, cv: s.meanCv })), rateBand, cvBand, ks }));
    expect(ours[0].meanRate).toBeGreaterThan(2);
    expect(theirs.meanRate).toBeGreaterThan(rateBand[0]);
    expect(theirs.meanRate).toBeLessThan(rateBand[1]);
    expect(theirs.meanCv).toBeGreaterThan(cvBand[0]);
    expect(theirs.meanCv).toBeLessThan(cvBand[1]);
    expect(ks).toBeLessThan(0.1);
  });
});
