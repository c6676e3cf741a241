/**
 * The network description file: library -> file -> library gives the same simulation, and a
 * malformed file gets every problem named by its path inside the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { NetworkFileError, readNetworkFile, validateNetworkFile, writeNetworkFile } from '../src/io/network-file.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { type NetworkPlan } from '../src/plan/types.js';
import { brunel } from '../src/networks/brunel.js';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { kitchenSink } from './kitchen-sink.js';

function expectSamePlan(a: NetworkPlan, b: NetworkPlan): void {
  expect(b.byId.map((p) => [p.name, p.n, p.kind, p.inputFixedLog2, p.inputSlots])).toEqual(a.byId.map((p) => [p.name, p.n, p.kind, p.inputFixedLog2, p.inputSlots]));
  expect(b.projections.length).toBe(a.projections.length);
  a.projections.forEach((pa, k) => {
    const pb = b.projections[k];
    expect([pb.name, pb.pre, pb.post, pb.delay, pb.receptor, pb.synapses]).toEqual([pa.name, pa.pre, pa.post, pa.delay, pa.receptor, pa.synapses]);
    expect(pb.csr?.cols).toEqual(pa.csr?.cols);
    expect(pb.csr?.weights).toEqual(pa.csr?.weights);
    expect(pb.dense).toEqual(pa.dense);
    expect(pb.synapseDelays).toEqual(pa.synapseDelays);
    expect(pb.procedural).toEqual(pa.procedural);
  });
}

describe('network file round trip: library -> file -> library', () => {
  it('keeps every plasticity rule and its parameters, the structural flag included', () => {
    const net = new Network({ dt: 0.5, seed: 9 });
    const a = net.addSource('a', 5, { kind: 'poisson', rate_hz: 20 });
    const b = net.addLIF('b', 5, {});
    net.connect(a, b, { kind: 'fixed_probability', p: 0.5, weight: 0.3 }, { delay: 3, plasticity: { rule: 'stdp', w_max: 1, tau_plus: 15, weight_dependence: 'multiplicative', pairing: 'nearest', structural: true } });
    net.connect(a, b, { kind: 'one_to_one', weight: 0.3 }, { name: 'x', plasticity: { rule: 'triplet', w_max: 1, a3_plus: 0.01 } });
    const c = net.addLIF('c', 4, {});
    net.connect(b, c, { kind: 'fixed_indegree', k: 2, weight: 0.3 }, { plasticity: { rule: 'reward_stdp', w_max: 1, tau_e: 100, learning_rate: 0.5 } });
    const text = writeNetworkFile(net);
    const file = JSON.parse(text);
    expect(file.projections.map((p: { plasticity: unknown }) => p.plasticity)).toEqual([
      { rule: 'stdp', w_max: 1, tau_plus: 15, weight_dependence: 'multiplicative', pairing: 'nearest', structural: true },
      { rule: 'triplet', w_max: 1, a3_plus: 0.01 },
      { rule: 'reward_stdp', w_max: 1, tau_e: 100, learning_rate: 0.5 },
    ]);
    const copy = readNetworkFile(text).network;
    expect(copy.describe()).toEqual(net.describe());
    expect(lowerNetwork(net).projections.every((p) => p.plastic !== undefined)).toBe(true);
    expect(lowerNetwork(copy).projections.map((p) => p.plastic)).toEqual(lowerNetwork(net).projections.map((p) => p.plastic));
  });

  const cases: [string, () => Network, number][] = [
    ['every feature', kitchenSink, 300],
    ['Vogels–Abbott CUBA', () => vogelsAbbott({ model: 'cuba', seed: 3 }), 200],
    ['Vogels–Abbott COBA', () => vogelsAbbott({ model: 'coba', seed: 3 }), 200],
    ['Brunel AI', () => brunel({ state: 'AI', n: 1000, seed: 4 }), 150],
  ];
  for (const [label, build, steps] of cases) {
    it(`${label}: same description, same plan, same spikes`, () => {
      const original = build();
      const text = writeNetworkFile(original, { name: label, run: { duration_ms: 100 } });
      const { network: copy, file } = readNetworkFile(text);
      expect(file.name).toBe(label);
      expect(file.run).toEqual({ duration_ms: 100 });
      expect(copy.describe()).toEqual(original.describe());
      expect(JSON.parse(writeNetworkFile(copy, { name: label, run: { duration_ms: 100 } }))).toEqual(JSON.parse(text));
      const [pa, pb] = [lowerNetwork(original), lowerNetwork(copy)];
      expectSamePlan(pa, pb);
      const [sa, sb] = [new CpuSimulation(pa), new CpuSimulation(pb)];
      sa.runSync(steps);
      sb.runSync(steps);
      let spikes = 0;
      for (const id of pa.spikeMonitors) {
        const name = pa.byId[id].name;
        expect(sb.spikes(name).bits).toEqual(sa.spikes(name).bits);
        spikes += sa.spikes(name).total();
      }
      expect(spikes).toBeGreaterThan(0);
    });
  }

  it('keeps lists of numbers on one line', () => {
    const text = writeNetworkFile(kitchenSink());
    expect(text).toContain('"rowPtr": [0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3]');
    expect(text).toMatch(/"v_init": \[-70, -69\.\d+, [^\n]*\],?\n/);
  });

  it('a function source cannot be written, and says what to use instead', () => {
    const net = new Network();
    net.addSource('f', 2, { kind: 'function', fn: () => [0, 1] });
    expect(() => writeNetworkFile(net)).toThrow(/populations\[0\]\.source: f is a function source; a network file can hold spike times or Poisson rates/);
  });
});

const minimal = () => ({
  format: 'neuromorph-network',
  version: 1,
  dt: 0.1,
  populations: [
    { name: 'in', n: 10, model: 'source', source: { kind: 'poisson', rate_hz: 20 } },
    { name: 'a', n: 5, model: 'lif', params: { receptors: { exc: { kind: 'exp_current', tau: 5 } } } },
  ],
  projections: [{ pre: 'in', post: 'a', connectivity: { kind: 'fixed_probability', p: 0.5, weight: 2 }, delay: 1, receptor: 'exc' }],
});

describe('malformed network files: every problem, by its path in the file', () => {
  it('a minimal file is valid', () => {
    expect(validateNetworkFile(minimal())).toEqual([]);
    expect(readNetworkFile(JSON.stringify(minimal())).network.neuronCount).toBe(15);
  });

  it('schema problems are all reported at once', () => {
    const f = minimal() as Record<string, any>;
    f.dt = 0;
    f.populations[0].n = 0;
    f.populations[1].params.tau_m = -1;
    f.populations[1].params.colour = 'red';
    f.projections[0].delay = -1;
    f.projections[0].connectivity.p = 1.5;
    f.projections.push({ pre: 'a', post: 'a', connectivity: { kind: 'all_to_all' } });
    f.extra = true;
    expect(validateNetworkFile(f)).toEqual([
      'dt: must be > 0',
      'populations[0].n: must be ≥ 1',
      'populations[1].params.tau_m: must be > 0',
      'populations[1].params: unknown key "colour"',
      'projections[0].connectivity.p: must be ≤ 1',
      'projections[0].delay: must be ≥ 0',
      'projections[1].connectivity.kind: must be one of "dense", "fixed_probability", "fixed_indegree", "one_to_one", "csr", "crossbar"',
      '(file): unknown key "extra"',
    ]);
  });

  it('problems that need context come from the network API, renamed to file paths, all at once', () => {
    const f = minimal() as Record<string, any>;
    f.populations[1].params.v_reset = -40; // above the default threshold -55
    f.populations.push({ name: 'b', n: 3, model: 'lif', params: { v_init: [1, 2] } });
    f.projections.push({ pre: 'in', post: 'nowhere', connectivity: { kind: 'one_to_one', weight: 1 } });
    f.projections.push({ pre: 'in', post: 'b', connectivity: { kind: 'fixed_indegree', k: 2, weight: 1 }, receptor: 'nmda' });
    f.monitors = { voltage: [{ population: 'b', indices: [0, 7] }] };
    const problems = validateNetworkFile(f);
    expect(problems).toEqual([
      'populations[1].params.v_reset: must be < v_th (-55), got -40',
      'populations[2].params.v_init: must have one value per neuron (3), got 2',
      'projections[1].post: no population named "nowhere"; have in',
    ]);
  });

  it('errors inside an entry name the entry even when the population is fine', () => {
    const f = minimal() as Record<string, any>;
    f.projections[0].receptor = 'nmda';
    f.projections.push({ pre: 'a', post: 'a', connectivity: { kind: 'fixed_indegree', k: 9, weight: 1 }, delay: 1 });
    f.monitors = { voltage: [{ population: 'a', indices: [0, 7] }] };
    f.currents = [{ population: 'a', amplitude: [1, 2] }];
    expect(validateNetworkFile(f)).toEqual([
      'projections[0].receptor: must be one of a\'s receptors (exc), got "nmda"',
      'projections[1].connectivity.k: must be an integer in [0, 4], got 9',
      'currents[0].amplitude: must have one value per neuron (5), got 2',
      'monitors.voltage[0].indices[1]: must be an integer in [0, 4], got 7',
    ]);
  });

  it("the documentation's example file is valid and runs", () => {
    const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'network-file.md'), 'utf8');
    const json = /```json\n([\s\S]*?)```/.exec(doc)![1];
    expect(validateNetworkFile(json)).toEqual([]);
    const { network, file } = readNetworkFile(json);
    const sim = new CpuSimulation(lowerNetwork(network));
    sim.runSync(Math.round(file.run!.duration_ms / network.dt));
    expect(sim.spikes('exc').total()).toBeGreaterThan(0);
    expect(sim.spikes('rs').total()).toBeGreaterThan(0);
  });

  it('not JSON, wrong format or version', () => {
    expect(() => readNetworkFile('{ nope')).toThrow(NetworkFileError);
    expect(validateNetworkFile('{ nope')[0]).toMatch(/^\(file\): not valid JSON/);
    expect(validateNetworkFile({ ...minimal(), format: 'other' })).toEqual(['format: must be "neuromorph-network"']);
    expect(validateNetworkFile({ ...minimal(), version: 2 })).toEqual(['version: must be 1']);
  });
});
