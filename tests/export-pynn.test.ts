/**
 * The PyNN 0.10 export (src/interop/pynn): its cell mapping, units and refusals, then the script
 * run on PyNN's NEURON backend (single process, and CUBA on two MPI ranks) and on its Brian2
 * backend, against our CPU backend. PyNN's simulators integrate with their own methods and
 * stamp spikes their own way, so traces are compared within stated tolerances and networks by
 * their statistics. Skipped, with the reason printed, where PyNN's backends cannot load.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPynn } from '../src/interop/pynn/index.js';
import { Network } from '../src/model/network.js';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { refusal } from './helpers.js';
import { expCurrentNeuron, pynnCellsNetwork } from './peers/networks.js';
import { mpirunAvailable, pynnBrian2Available, pynnNeuronAvailable, PYTHON, readSpikes, readVoltage, removeExports, runIn, trains, writeExport } from './peers/python.js';
import { ksDistance, ourTrains, seedBand, trainStats } from './peers/stats.js';
import { compareTrace, ourTraces } from './peers/traces.js';

const script = (net: Network, o: Partial<Parameters<typeof exportPynn>[1]> = {}) => exportPynn(net, { duration_ms: 100, ...o }).files.get('run_pynn.py') as string;

describe('PyNN export: cells, units and refusals', () => {
  it('maps CUBA and COBA to IF_curr_exp and IF_cond_exp with cm = 1 nF (weights w cm / tau_m), and raises sub-step delays with a warning', () => {
    const cuba = exportPynn(vogelsAbbott({ model: 'cuba', n: 100 }), { duration_ms: 100 });
    const text = cuba.files.get('run_pynn.py') as string;
    expect(text).toContain('cell="IF_curr_exp", params=dict(cm=1, tau_m=20, v_rest=-49, v_reset=-60, v_thresh=-50, tau_syn_E=5, tau_syn_I=10)');
    // 1.62 mV and -9 mV of input through R = tau_m / cm = 20 MOhm: 0.081 nA and -0.45 nA.
    expect(text).toMatch(/name="exc->exc", .*receptor="excitatory", .*weight=0\.0810000002384185/);
    expect(text).toMatch(/name="inh->inh", .*receptor="inhibitory", .*weight=-0\.45,/);
    expect(text).toContain('refractory_steps=50');
    expect(cuba.files.has('data/exc.v_init.npy')).toBe(true);
    expect(cuba.warnings.filter((w) => /delay of 1 step\(s\) between neurons .* raised to dt/.test(w))).toHaveLength(4);
    const coba = script(vogelsAbbott({ model: 'coba', n: 100 }));
    // 0.6 and 6.7 leak conductances: 0.03 and 0.335 uS; initial conductances as npy files.
    expect(coba).toContain('cell="IF_cond_exp"');
    expect(coba).toContain('e_rev_E=0');
    expect(coba).toContain('e_rev_I=-80');
    expect(coba).toMatch(/name="exc->exc", .*weight=0\.0300000011920928/);
    expect(coba).toMatch(/name="inh->exc", .*receptor="inhibitory", .*weight=0\.3349999904632568/);
    expect(coba).toMatch(/gsyn_exc=data\("exc\.g0_init\.npy"\), gsyn_inh=data\("exc\.g1_init\.npy"\)/);
  });

  it('maps Izhikevich (i_offset I / 1000 nA) and AdEx (a, b, w through g_L = cm / tau_m), splits one receptor by sign', () => {
    const net = new Network({ dt: 0.1 });
    const src = net.addSource('src', 2, { kind: 'times', times: [[1], [2]] });
    const izh = net.addIzhikevich('izh', 3, { receptors: { syn: { kind: 'delta' } } });
    const adex = net.addAdEx('adex', 2, { tau_m: 10, a: 0.2, b: 3, w_init: 1, receptors: { e: { kind: 'exp_conductance', tau: 5, e_rev: 0 } } });
    net.connect(src, izh, { kind: 'dense', weights: [[1, -2], [3, 0], [0, -1]] }, { delay: 1 });
    net.connect(src, adex, { kind: 'one_to_one', weight: 0.5 }, { delay: 1 });
    net.injectCurrent(izh, { amplitude: 7 });
    net.injectCurrent(adex, { amplitude: 20, start_ms: 10, stop_ms: 20 });
    const text = script(net);
    expect(text).toContain('cell="Izhikevich", params=dict(a=0.02, b=0.2, c=-65, d=8, i_offset=0.007)');
    expect(text).toMatch(/name="src->izh\.exc", .*receptor="excitatory"/);
    expect(text).toMatch(/name="src->izh\.inh", .*receptor="inhibitory"/);
    // g_L = 1 nF / 10 ms = 0.1 uS: a = 0.2 g_L = 20 nS, b = 3 mV g_L = 0.3 nA, w = 0.1 nA.
    expect(text).toMatch(/cell="EIF_cond_exp_isfa_ista", params=dict\(cm=1, tau_m=10, .*a=20\.000000000000004, b=0\.30000000000000004, tau_syn_E=5, e_rev_E=0\)/);
    expect(text).toContain('w=0.1');
    expect(text).toContain('dict(population="adex", amplitude=2, start_ms=10, stop_ms=20)');
  });

  it('refuses what PyNN cannot express, naming the field', () => {
    const build = (post: (net: Network) => ReturnType<Network['addLIF']>, weight = 1, receptor?: string) => {
      const net = new Network({ dt: 0.1 });
      const src = net.addSource('src', 1, { kind: 'times', times: [[1]] });
      net.connect(src, post(net), { kind: 'one_to_one', weight }, { delay: 1, receptor, name: 'p' });
      return net;
    };
    expect(refusal(() => script(build((n) => n.addLIF('chapter', 1))))).toBe('populations.chapter.receptors');
    const delta = build((n) => n.addLIF('d', 1, { receptors: { syn: { kind: 'delta' } } }));
    expect(refusal(() => script(delta))).toBe('populations.d.receptors');
    expect(script(delta, { simulator: 'brian2' })).toContain('cell="IF_curr_delta"');
    const exp = { receptors: { e: { kind: 'exp_current' as const, tau: 5 } } };
    expect(refusal(() => script(build((n) => n.addLIF('i', 1, { ...exp, leak: false }))))).toBe('populations.i.leak');
    expect(refusal(() => script(build((n) => n.addLIF('s', 1, { ...exp, reset: 'subtract' }))))).toBe('populations.s.reset');
    expect(refusal(() => script(build((n) => n.addLIF('a', 1, { ...exp, adaptive_threshold: { theta_plus: 1, tau_theta: 10 } }))))).toBe('populations.a.adaptive_threshold');
    expect(refusal(() => script(build((n) => n.addIzhikevich('z', 1, { v_peak: 35, receptors: { s: { kind: 'delta' } } }))))).toBe('populations.z.v_peak');
    expect(refusal(() => script(build((n) => n.addIzhikevich('r', 1, { t_ref: 1, receptors: { s: { kind: 'delta' } } }))))).toBe('populations.r.t_ref');
    expect(refusal(() => script(build((n) => n.addLIF('g', 1, { receptors: { g: { kind: 'exp_conductance', tau: 5, e_rev: 0 } } }), -1)))).toBe('populations.g.receptors.g');
    const twoPositive = new Network({ dt: 0.1 });
    const s = twoPositive.addSource('s', 1, { kind: 'times', times: [[1]] });
    const post = twoPositive.addLIF('two', 1, { receptors: { a: { kind: 'exp_current', tau: 5 }, b: { kind: 'exp_current', tau: 9 } } });
    twoPositive.connect(s, post, { kind: 'one_to_one', weight: 1 }, { receptor: 'a', delay: 1 });
    twoPositive.connect(s, post, { kind: 'one_to_one', weight: 2 }, { receptor: 'b', delay: 1, name: 'second' });
    expect(refusal(() => script(twoPositive))).toBe('populations.two.receptors');
    const mixed = new Network({ dt: 0.1 });
    const m = mixed.addSource('m', 1, { kind: 'times', times: [[1]] });
    const mp = mixed.addLIF('mixed', 1, { receptors: { a: { kind: 'exp_current', tau: 5 }, b: { kind: 'delta' } } });
    mixed.connect(m, mp, { kind: 'one_to_one', weight: 1 }, { receptor: 'a', delay: 1 });
    mixed.connect(m, mp, { kind: 'one_to_one', weight: 1 }, { receptor: 'b', delay: 1, name: 'b' });
    expect(refusal(() => script(mixed))).toBe('populations.mixed.receptors');
    const plastic = new Network({ dt: 0.1 });
    const pre = plastic.addSource('pre', 2, { kind: 'poisson', rate_hz: 5 });
    plastic.connect(pre, plastic.addLIF('l', 2, exp), { kind: 'fixed_probability', p: 1, weight: 1 }, { name: 'stdp', delay: 1, plasticity: { rule: 'stdp', w_max: 2 } });
    expect(refusal(() => script(plastic))).toBe('projections.stdp.plasticity');
    expect(refusal(() => script(plastic, { simulator: 'nest3' as 'nest' }))).toBe('pynn.simulator');
  });
});

const neuron = pynnNeuronAvailable();
const brian2 = pynnBrian2Available();
const SECONDS = 1;
const DT = 0.1;

/** Writes an export, runs `command` in its folder and returns the folder. */
async function run(files: Map<string, string | Uint8Array>, label: string, command: string[]): Promise<string> {
  const dir = writeExport(files, `pynn-${label}`);
  const { seconds } = await runIn(dir, command[0], command.slice(1));
  console.log(`[pynn] ${label}: ${seconds.toFixed(1)} s`);
  return dir;
}

describe.skipIf(!neuron && !brian2)('PyNN export run in PyNN', () => {
  const runs = new Map<string, Promise<string>>();
  /** Starts run `key`; its failure is reported by the test that awaits it. */
  const start = (key: string, p: Promise<string>) => {
    p.catch(() => undefined);
    runs.set(key, p);
    return p.catch(() => '');
  };
  afterAll(async () => {
    await Promise.allSettled(runs.values());
    removeExports();
  });
  beforeAll(() => {
    // Two chains side by side on the two cores: the short runs, and the CUBA runs (MPI takes two ranks).
    const cubaFiles = exportPynn(vogelsAbbott({ model: 'cuba', seed: 1 }), { duration_ms: SECONDS * 1000 }).files;
    void (async () => {
      if (neuron) await start('trace', run(exportPynn(expCurrentNeuron(), { duration_ms: 100 }).files, 'trace', [PYTHON, 'run_pynn.py']));
      if (neuron) await start('cells-neuron', run(exportPynn(pynnCellsNetwork(), { duration_ms: 100 }).files, 'cells-neuron', [PYTHON, 'run_pynn.py']));
      if (brian2) await start('cells-brian2', run(exportPynn(pynnCellsNetwork(), { duration_ms: 100, simulator: 'brian2' }).files, 'cells-brian2', [PYTHON, 'run_pynn.py', '--brian2-target', 'numpy']));
    })();
    void (async () => {
      if (neuron && mpirunAvailable()) await start('cuba-mpi', run(cubaFiles, 'cuba-neuron-mpi', ['mpirun', '--allow-run-as-root', '-np', '2', PYTHON, 'run_pynn.py', '--simulator', 'neuron']));
      if (brian2) await start('cuba-brian2', run(cubaFiles, 'cuba-brian2', [PYTHON, 'run_pynn.py', '--simulator', 'brian2', '--brian2-target', 'numpy']));
    })();
  });
  /** The run `key`, once its chain has started it. */
  const result = async (key: string) => {
    while (!runs.has(key)) await new Promise((r) => setTimeout(r, 100));
    return runs.get(key)!;
  };

  it.skipIf(!neuron)('(a) one IF_curr_exp neuron on NEURON: trace within 0.15 mV of ours, spikes one step later (NEURON stamps the end of the step)', async () => {
    const dir = await result('trace');
    const net = expCurrentNeuron();
    const ours = ourTraces(net, 1000).get('post')!;
    const v = readVoltage(join(dir, 'voltage.csv'));
    const theirs = (readSpikes(join(dir, 'spikes.csv')).get('post') ?? []).map((s) => s.time);
    expect(v.time.length).toBe(1000);
    const c = compareTrace('post', ours.v, ours.spikes, v.columns.get('post[0]')!, theirs, DT, { window: 2, peerLag: DT });
    console.log('IF_curr_exp on NEURON', c);
    expect(ours.spikes.length).toBeGreaterThan(0);
    expect(theirs.map((t) => (t - DT).toFixed(6))).toEqual(ours.spikes.map((t) => t.toFixed(6)));
    // NEURON's implicit Euler against our exact step: measured 0.072 mV (1 % of the 7 mV excursion).
    expect(c.compared).toBeGreaterThan(990);
    expect(c.worst).toBeLessThan(0.15);
  });

  it.skipIf(!neuron)('(a) every mapped cell on NEURON: units of weights, currents and initial states', async () => {
    const dir = await result('cells-neuron');
    const net = pynnCellsNetwork();
    const ours = ourTraces(net, 1000);
    const v = readVoltage(join(dir, 'voltage.csv'));
    const spikes = readSpikes(join(dir, 'spikes.csv'));
    const cmp = (name: string, until?: number) => compareTrace(name, ours.get(name)!.v, ours.get(name)!.spikes, v.columns.get(`${name}[0]`)!, (spikes.get(name) ?? []).map((s) => s.time), DT, { window: 2, peerLag: DT, until });
    const close = (a: number[], b: number[], tol: number) => a.length === b.length && a.every((t, k) => Math.abs(t - b[k]) <= tol);
    const cuba = cmp('cuba');
    const coba = cmp('coba', Math.round(ours.get('coba')!.spikes[0] / DT));
    const izhStart = cmp('izh', 5); // i_offset alone, first 0.5 ms
    const izh = cmp('izh', 50); // i_offset alone, until the first input
    const adex = cmp('adex', Math.round(ours.get('adex')!.spikes[0] / DT));
    console.log({ cuba, coba, izhStart, izh, adex });
    // IF_curr_exp with an initial inhibitory current (set after NEURON's INITIAL blocks): measured 0.071 mV.
    expect(cuba.worst).toBeLessThan(0.15);
    expect(close(cuba.theirs, cuba.ours.map((t) => t + DT), 1e-6)).toBe(true);
    // IF_cond_exp from an initial conductance, up to its first spike: measured 0.031 mV; its five
    // spikes each 0.1 ms later than ours (NEURON's stamp; an earlier variant drifted to 0.3 ms).
    expect(coba.worst).toBeLessThan(0.1);
    expect(close(coba.theirs, coba.ours, 0.3)).toBe(true);
    // Izhikevich under i_offset = I / 1000 nA (a unit off would move v by 0.5 mV a step): measured
    // 0.016 mV over 0.5 ms, 0.45 mV over 5 ms (our forward Euler against NEURON's implicit step
    // on the quadratic); three spikes within 0.3 ms (measured 0.2 ms).
    expect(izhStart.worst).toBeLessThan(0.05);
    expect(izh.worst).toBeLessThan(1);
    expect(close(izh.theirs, izh.ours, 0.3)).toBe(true);
    // AdEx up to and at its first spike (measured 0.36 mV, the same step). After it, NEURON's
    // AdExpIF departs from the textbook equations ours and PyNN's Brian2 backend integrate (its
    // third spike 4.5 ms late under constant current alone, measured): not compared here.
    expect(adex.worst).toBeLessThan(0.5);
    expect(Math.abs(adex.theirs[0] - adex.ours[0])).toBeLessThanOrEqual(DT + 1e-9);
  });

  it.skipIf(!brian2)("every mapped cell on PyNN's Brian2 backend: the same spikes within 0.5 ms", async () => {
    const dir = await result('cells-brian2');
    const net = pynnCellsNetwork();
    const ours = ourTraces(net, 1000);
    const spikes = readSpikes(join(dir, 'spikes.csv'));
    for (const [name, o] of ours) {
      // AdEx passes close to threshold at 57 ms, where the one step of input lag (PyNN's minimum
      // delay) decides whether it fires: compared over its first 50 ms (five spikes).
      const until = name === 'adex' ? 50 : Infinity;
      const theirs = (spikes.get(name) ?? []).map((s) => s.time).filter((t) => t < until);
      const mine = o.spikes.filter((t) => t < until);
      console.log(name, { ours: mine.map((t) => +t.toFixed(1)), brian2: theirs });
      expect(theirs.length, name).toBe(mine.length);
      // Measured at most 0.2 ms (COBA's fourth spike and AdEx's fifth).
      theirs.forEach((t, k) => expect(Math.abs(t - mine[k]), `${name} spike ${k}`).toBeLessThanOrEqual(0.5));
    }
  });

  const cubaStats = () => {
    const seeds = [1, 2, 3].map((seed) => trainStats(ourTrains(vogelsAbbott({ model: 'cuba', seed }), SECONDS * 10000), SECONDS));
    const ksSeeds = Math.max(ksDistance(seeds[0].rates, seeds[1].rates), ksDistance(seeds[0].rates, seeds[2].rates), ksDistance(seeds[1].rates, seeds[2].rates));
    return { seeds, ksSeeds, rateBand: seedBand(seeds.map((s) => s.meanRate), 0.03), cvBand: seedBand(seeds.map((s) => s.meanCv), 0.03) };
  };
  const checkCuba = (dir: string, label: string) => {
    const spikes = readSpikes(join(dir, 'spikes.csv'));
    const theirs = trainStats([...trains(spikes.get('exc'), 3200), ...trains(spikes.get('inh'), 800)], SECONDS);
    const { seeds, ksSeeds, rateBand, cvBand } = cubaStats();
    const ks = ksDistance(theirs.rates, seeds[0].rates);
    console.log(JSON.stringify({ label, peer: { rate: theirs.meanRate, cv: theirs.meanCv }, ours: seeds.map((s) => ({ rate: s.meanRate, cv: s.meanCv })), rateBand, cvBand, ks, ksSeeds }));
    // Band: our three seeds' range widened by max(range, 3 % of the mean) (see export-brian2.test.ts).
    expect(theirs.meanRate).toBeGreaterThan(rateBand[0]);
    expect(theirs.meanRate).toBeLessThan(rateBand[1]);
    expect(theirs.meanCv).toBeGreaterThan(cvBand[0]);
    expect(theirs.meanCv).toBeLessThan(cvBand[1]);
    // Per-neuron rates: no further from our run of the same network than our seeds are from each other.
    expect(ks).toBeLessThan(ksSeeds);
  };

  it.skipIf(!neuron || !mpirunAvailable())('(b) CUBA, 4000 neurons, on NEURON with 2 MPI ranks for 1 s: rate, CV and rate distribution within our seed-to-seed spread', async () => {
    checkCuba(await result('cuba-mpi'), 'NEURON, 2 ranks');
  });

  it.skipIf(!brian2)("(c) the same CUBA export on PyNN's Brian2 backend: rate, CV and rate distribution within our seed-to-seed spread", async () => {
    checkCuba(await result('cuba-brian2'), 'PyNN Brian2');
  });
});
