/**
 * The energy model (src/energy): arithmetic on hand-computed cases, the citation table's
 * completeness, the two families never mixed, the chapter's table, the run comparison, mapping
 * checks and quantization (pure arithmetic here; the MNIST measurements are in energy-mnist.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { annWorkCounts, crossbarWorkCounts } from '../src/energy/ann-counts.js';
import { compareEnergyEfficiency, compareRuns, efficiency } from '../src/energy/compare.js';
import { ENERGY_CONSTANTS, energyConstant, PLATFORMS } from '../src/energy/constants.js';
import { ModelError } from '../src/util/validate.js';
import { addCounts, type WorkCounts, zeroCounts } from '../src/engine/work-counts.js';
import { checkMapping, denseLayer, LOIHI, networkLayers, quantizeWeights, SPINNAKER, TRUENORTH } from '../src/energy/mapping.js';
import { addEstimates, arithmeticEnergy, estimateEnergy, partSources, perInference, systemEnergy } from '../src/energy/model.js';
import { Network } from '../src/model/network.js';

const counts = (c: Partial<WorkCounts>): WorkCounts => ({ ...zeroCounts(), ...c });
const pJ = 1e-12;

describe('energy model arithmetic', () => {
  it('arithmetic family: 4.6 pJ per MAC, 0.9 pJ per synaptic op, 6.4 pJ per neuron update; memory beside the total', () => {
    const e = arithmeticEnergy(counts({ macs: 10, synapticOps: 100, neuronUpdates: 5, spikes: 7, memoryBytes: 40 }));
    expect(e.family).toBe('arithmetic');
    expect(e.joules).toBeCloseTo(10 * 4.6 * pJ + 100 * 0.9 * pJ + 5 * 6.4 * pJ, 20);
    expect(e.joules / pJ).toBeCloseTo(168, 9);
    expect(e.memory!.sramJ / pJ).toBeCloseTo(10 * 5, 9);
    expect(e.memory!.dramJ / pJ).toBeCloseTo(10 * 640, 9);
    expect(e.unpriced).toEqual([]);
    // A crossbar cell read is priced as its digital MAC; DVS events have no arithmetic constant.
    const c = arithmeticEnergy(counts({ crossbarCellReads: 2, dvsEvents: 3 }));
    expect(c.joules / pJ).toBeCloseTo(9.2, 9);
    expect(c.unpriced).toEqual(['dvsEvents']);
  });

  it('system family per platform, hand-computed', () => {
    const snn = counts({ synapticOps: 1000, neuronUpdates: 100, spikes: 10 });
    expect(systemEnergy(snn, 'loihi').joules / pJ).toBeCloseTo(1000 * 23.6 + 100 * 52 + 10 * 1.7, 6);
    expect(systemEnergy(snn, 'truenorth').joules / pJ).toBeCloseTo(1000 * 26, 6);
    expect(systemEnergy(snn, 'spinnaker1').joules / pJ).toBeCloseTo(1000 * 8000 + 100 * 26000, 3);
    const s2 = systemEnergy(snn, 'spinnaker2');
    expect(s2.joules / pJ).toBeCloseTo(1000 * 10, 6);
    expect(s2.unpriced).toEqual(['neuronUpdates']);
    // 30 GMAC/W and 1 GMAC/W: 3e10 MACs cost 1 J on the GPU, 1e9 cost 1 J on the CPU.
    expect(systemEnergy(counts({ macs: 3e10 }), 'gpu').joules).toBeCloseTo(1, 12);
    expect(systemEnergy(counts({ macs: 1e9 }), 'cpu').joules).toBeCloseTo(1, 12);
    expect(systemEnergy(counts({ macs: 5, synapticOps: 5 }), 'cpu').joules).toBeCloseTo(10e-9, 20);
    // A chip that does no dense MACs reports them unpriced rather than free.
    expect(systemEnergy(counts({ macs: 7 }), 'loihi').unpriced).toEqual(['macs']);
    expect(systemEnergy(counts({ crossbarReads: 4, crossbarCellReads: 100 }), 'crossbar', { crossbarReadJ: 2e-10 }).joules).toBeCloseTo(8e-10, 22);
    expect(() => systemEnergy(counts({ crossbarReads: 4 }), 'crossbar')).toThrow(/crossbarReadJ/);
    // Every part names where its energy comes from.
    const [synop] = systemEnergy(snn, 'loihi').parts;
    expect(partSources(synop)).toEqual([expect.stringMatching(/Davies.*IEEE Micro.*Table 2.*23\.6 pJ/)]);
    const [read] = systemEnergy(counts({ crossbarReads: 1 }), 'crossbar', { crossbarReadJ: 1e-10 }).parts;
    expect(partSources(read)[0]).toContain('src/crossbar/energy.ts');
  });

  it('integrate-and-fire updates (converted SNNs): one f32 add in the arithmetic family, a neuron update in the system family', () => {
    const ifu = counts({ integrateFireUpdates: 100 });
    expect(arithmeticEnergy(ifu).joules / pJ).toBeCloseTo(100 * 0.9, 9);
    expect(arithmeticEnergy(ifu).unpriced).toEqual([]);
    // 7x cheaper than the Euler LIF update the same neurons x steps used to be priced as.
    expect(arithmeticEnergy(counts({ neuronUpdates: 100 })).joules / arithmeticEnergy(ifu).joules).toBeCloseTo(6.4 / 0.9, 9);
    expect(systemEnergy(ifu, 'loihi').joules / pJ).toBeCloseTo(100 * 52, 6);
    expect(systemEnergy(ifu, 'spinnaker1').joules / pJ).toBeCloseTo(100 * 26000, 3);
    expect(systemEnergy(ifu, 'gpu').joules).toBeCloseTo(100 / 30e9, 20);
    expect(systemEnergy(ifu, 'cpu').joules).toBeCloseTo(100 / 1e9, 20);
    // TrueNorth's synaptic-event energy includes its neurons; SpiNNaker 2 and the crossbar have no neuron price.
    expect(systemEnergy(ifu, 'truenorth')).toMatchObject({ joules: 0, unpriced: [] });
    expect(systemEnergy(ifu, 'spinnaker2').unpriced).toEqual(['integrateFireUpdates']);
    expect(systemEnergy(ifu, 'crossbar').unpriced).toEqual(['integrateFireUpdates']);
    // The field is a WorkCounts field like the others: zeroed, added, checked, divided.
    expect(zeroCounts().integrateFireUpdates).toBe(0);
    expect(addCounts(ifu, ifu).integrateFireUpdates).toBe(200);
    expect(perInference(ifu, 4).integrateFireUpdates).toBe(25);
    expect(() => arithmeticEnergy(counts({ integrateFireUpdates: -1 }))).toThrow(/counts.integrateFireUpdates/);
    expect(() => systemEnergy({ ...zeroCounts(), integrateFireUpdates: undefined } as never, 'loihi')).toThrow(/counts.integrateFireUpdates/);
  });

  it('rejects bad counts and platforms, naming the field', () => {
    expect(() => arithmeticEnergy(counts({ spikes: -1 }))).toThrow(/counts.spikes/);
    expect(() => arithmeticEnergy(counts({ macs: Number.NaN }))).toThrow(/counts.macs/);
    expect(() => systemEnergy(counts({}), 'fpga' as never)).toThrow(/platform/);
    expect(perInference(counts({ spikes: 30, macs: 9 }), 3)).toMatchObject({ spikes: 10, macs: 3 });
    expect(() => perInference(counts({}), 0)).toThrow(/inferences/);
  });
});

describe('the two families are never mixed', () => {
  const all = counts({ neuronUpdates: 10, spikes: 5, synapticOps: 50, macs: 20, crossbarReads: 1, crossbarCellReads: 8, memoryBytes: 64 });
  it('each estimate is built only from constants of its own family', () => {
    const family = new Map(ENERGY_CONSTANTS.map((c) => [c.id, c.family]));
    for (const p of PLATFORMS) {
      const { arithmetic, system } = estimateEnergy(all, p, { crossbarReadJ: 1e-10 });
      expect(arithmetic.family).toBe('arithmetic');
      expect(system.family).toBe('system');
      for (const part of arithmetic.parts) for (const id of part.constants) expect(family.get(id), `${p} ${id}`).toBe('arithmetic');
      for (const part of system.parts) for (const id of part.constants) expect(family.get(id), `${p} ${id}`).toBe('system');
      expect(system.parts.length).toBeGreaterThan(0);
      expect(system.memory).toBeUndefined();
    }
  });

  it('addEstimates sums within a family and refuses across families or platforms', () => {
    const a = systemEnergy(counts({ synapticOps: 10 }), 'loihi');
    const b = systemEnergy(counts({ synapticOps: 30 }), 'loihi');
    expect(addEstimates(a, b).joules / pJ).toBeCloseTo(40 * 23.6, 6);
    expect(() => addEstimates(a, arithmeticEnergy(counts({ synapticOps: 10 })))).toThrow(/never mixed/);
    expect(() => addEstimates(a, systemEnergy(counts({ synapticOps: 1 }), 'truenorth'))).toThrow(/platform/);
  });
});

describe('citation table', () => {
  it('every constant has a source, a locator, a finite positive value, and a note where unverified', () => {
    const ids = new Set<string>();
    for (const c of ENERGY_CONSTANTS) {
      expect(ids.has(c.id), c.id).toBe(false);
      ids.add(c.id);
      expect(c.source.length, c.id).toBeGreaterThan(20);
      expect(c.source, c.id).toMatch(/(19|20)\d\d/);
      expect(c.locator.length, c.id).toBeGreaterThan(5);
      expect(Number.isFinite(c.joules) && c.joules > 0, c.id).toBe(true);
      expect(['arithmetic', 'system']).toContain(c.family);
      if (!c.verified) expect(c.note.length, c.id).toBeGreaterThan(20);
      expect(c.family === 'arithmetic').toBe(c.platform === 'any');
    }
    // Every platform but the crossbar (priced per run from src/crossbar/energy.ts) has a system constant.
    for (const p of PLATFORMS.filter((q) => q !== 'crossbar')) expect(ENERGY_CONSTANTS.some((c) => c.platform === p && c.family === 'system'), p).toBe(true);
  });

  it('memory energies cite EIE Table I as source (Horowitz as origin); Loihi updates are a lower bound', () => {
    for (const id of ['han.sram32_read', 'han.dram32_read']) {
      const c = ENERGY_CONSTANTS.find((k) => k.id === id)!;
      expect(c.source, id).toMatch(/^S\. Han, .*"EIE: Efficient Inference Engine on Compressed Deep Neural Network", ISCA 2016$/);
      expect(c.locator, id).toMatch(/^Table I .* derived there from Horowitz, ISSCC 2014/);
    }
    expect(ENERGY_CONSTANTS.find((k) => k.id === 'han.sram32_read')!.joules).toBe(5e-12);
    expect(ENERGY_CONSTANTS.find((k) => k.id === 'han.dram32_read')!.joules).toBe(640e-12);
    expect(ENERGY_CONSTANTS.some((k) => k.id.startsWith('horowitz.') && k.operation.endsWith('Read'))).toBe(false);
    expect(ENERGY_CONSTANTS.find((k) => k.id === 'davies.loihi_neuron_update')!.note).toMatch(/lower bound/);
    const doc = readFileSync(new URL('../docs/energy.md', import.meta.url), 'utf8');
    expect(doc.split('\n').find((l) => l.includes('`davies.loihi_neuron_update`'))).toMatch(/lower bound/);
  });

  it('energyConstant finds a constant by id; an unknown id is a ModelError on id', () => {
    expect(energyConstant('horowitz.f32_add').joules).toBe(0.9e-12);
    expect(() => energyConstant('nope')).toThrow(ModelError);
    expect(() => energyConstant('nope')).toThrow(/^id: no energy constant "nope"; known: horowitz\.f32_mult, /);
  });

  it('docs/energy.md lists every constant with its value and family', () => {
    const doc = readFileSync(new URL('../docs/energy.md', import.meta.url), 'utf8');
    for (const c of ENERGY_CONSTANTS) {
      const row = doc.split('\n').find((l) => l.includes(`\`${c.id}\``));
      expect(row, c.id).toBeDefined();
      expect(row, c.id).toContain(c.family);
    }
  });
});

describe("the chapter's compare_energy_efficiency()", () => {
  it('prints what the chapter prints', () => {
    const { architectures, lines } = compareEnergyEfficiency();
    expect(lines).toEqual([
      'GPU (NVIDIA V100): 0.8 accuracy/joule',
      'CPU (Intel Xeon): 0.2 accuracy/joule',
      'FPGA: 7.5 accuracy/joule',
      'Loihi: 740.0 accuracy/joule',
      'TrueNorth: 7000.0 accuracy/joule',
    ]);
    expect(architectures[3].efficiency).toBeCloseTo(740, 9);
  });
});

describe('compareRuns', () => {
  it('energy per inference and accuracy per joule in both families, Markdown and JSON', () => {
    const c = compareRuns([
      { name: 'snn', accuracy: 0.9, counts: counts({ synapticOps: 1000, neuronUpdates: 100, spikes: 10 }), platform: 'truenorth' },
      { name: 'ann', accuracy: 0.92, counts: counts({ macs: 7850 }), platform: 'gpu' },
    ]);
    const [snn, ann] = c.rows;
    expect(snn.system.joules / pJ).toBeCloseTo(26000, 6);
    expect(snn.system.accuracyPerJoule).toBeCloseTo(0.9 / 26e-9, 0);
    expect(snn.arithmetic.joules / pJ).toBeCloseTo(1000 * 0.9 + 100 * 6.4, 6);
    expect(ann.arithmetic.joules / pJ).toBeCloseTo(7850 * 4.6, 6);
    expect(ann.system.joules).toBeCloseTo(7850 / 30e9, 18);
    expect(c.markdown.split('\n')).toHaveLength(4);
    expect(c.markdown).toContain('| snn | truenorth | 90.00 % | 1.54e-9 |');
    expect(JSON.parse(c.json).rows[1].name).toBe('ann');
    expect(() => compareRuns([{ name: 'x', accuracy: 1.5, counts: counts({}), platform: 'gpu' }])).toThrow(/runs\[0\].accuracy/);
    expect(() => compareRuns([])).toThrow(/runs/);
  });

  it('an unpriced run (0 J) has accuracy per joule NaN, shown as n/a, never the best', () => {
    const c = compareRuns([{ name: 'dvs', accuracy: 0.8, counts: counts({ dvsEvents: 100 }), platform: 'truenorth' }]);
    const [row] = c.rows;
    expect(row.system.joules).toBe(0);
    expect(row.system.accuracyPerJoule).toBeNaN();
    expect(row.arithmetic.accuracyPerJoule).toBeNaN();
    expect(c.markdown).toContain('| dvs | truenorth | 80.00 % | 0 | — (dvsEvents not priced) | 0 | 0 | — (dvsEvents not priced) | dvsEvents (arith.), dvsEvents (system) |');
    const none = compareRuns([{ name: 'idle', accuracy: 0.1, counts: counts({}), platform: 'loihi' }]);
    expect(none.markdown).toContain('| idle | loihi | 10.00 % | 0 | n/a | 0 | 0 | n/a | – |');
  });

  it('no accuracy per joule where a nonzero count is unpriced on the platform (e.g. MACs on a chip)', () => {
    // A constant-current converted SNN: its first layer is dense MACs, which Loihi has no price for.
    const work = counts({ macs: 392_000, synapticOps: 5000, neuronUpdates: 1000, spikes: 200 });
    const c = compareRuns([
      { name: 'snn', accuracy: 0.94, counts: work, platform: 'loihi' },
      { name: 'snn', accuracy: 0.94, counts: work, platform: 'cpu' },
    ]);
    const [loihi, cpu] = c.rows;
    expect(loihi.system.unpriced).toEqual(['macs']);
    expect(loihi.system.joules).toBeGreaterThan(0);
    expect(loihi.system.accuracyPerJoule).toBeNaN();
    expect(c.markdown.split('\n')[2]).toContain('| — (macs not priced) | macs (system) |');
    // The arithmetic family prices every count here, so its ratio stands; the CPU prices everything.
    expect(loihi.arithmetic.accuracyPerJoule).toBeCloseTo(0.94 / loihi.arithmetic.joules, 0);
    expect(cpu.system.accuracyPerJoule).toBeCloseTo(0.94 / cpu.system.joules, 0);
    expect(efficiency(0.5, { family: 'system', platform: 'loihi', joules: 1e-6, parts: [], unpriced: ['macs'] })).toBeNaN();
    expect(efficiency(0.5, { family: 'system', platform: 'loihi', joules: 1e-6, parts: [], unpriced: [] })).toBeCloseTo(5e5, 6);
  });
});

describe('hardware mapping', () => {
  it('a 785 x 10 dense layer fits Loihi in one core; too many inputs break TrueNorth', () => {
    const loihi = checkMapping([denseLayer('fc', 785, 10)], LOIHI);
    expect(loihi).toMatchObject({ fits: true, coresNeeded: 1, coresAvailable: 128, violations: [] });
    const tn = checkMapping([denseLayer('fc', 300, 3000)], TRUENORTH);
    expect(tn.coresNeeded).toBe(Math.ceil(3000 / 256));
    expect(tn.fits).toBe(false);
    expect(tn.violations.map((v) => [v.constraint, v.value, v.limit])).toEqual([
      ['maxFanIn', 300, 256],
      ['maxFanOut', 3000, 256],
    ]);
  });

  it('synapse memory limits neurons per core; a network larger than the chip reports its cores', () => {
    // 128 KB = 1,048,576 bits; 2,000 inputs x 8 bits per neuron: 65 neurons per core.
    const r = checkMapping([denseLayer('wide', 2000, 1024)], LOIHI);
    expect(r.layers[0]).toMatchObject({ cores: Math.ceil(1024 / 65), neuronsPerCore: 65 });
    const big = checkMapping([{ name: 'huge', neurons: 2_000_000, maxFanIn: 100, maxFanOut: 100, synapses: 2e8 }], TRUENORTH);
    expect(big.coresNeeded).toBe(Math.ceil(2_000_000 / 256));
    expect(big.violations).toEqual([{ layer: '(all)', constraint: 'cores', value: 7813, limit: 4096, message: 'needs 7813 cores; TrueNorth has 4096' }]);
    expect(checkMapping([{ name: 'x', neurons: 150_000, maxFanIn: 5000, maxFanOut: 0, synapses: 1 }], SPINNAKER)).toMatchObject({ fits: true, coresNeeded: 150 });
  });

  it('TrueNorth: at most 4 distinct weights per neuron', () => {
    // 5 inputs -> 1 output: weights 1..5 are 5 distinct values; 1, 1, -1, 2, 0 are 3.
    expect(checkMapping([denseLayer('a', 5, 1, [1, 2, 3, 4, 5])], TRUENORTH).violations[0]).toMatchObject({ constraint: 'distinctWeights', value: 5, limit: 4 });
    expect(checkMapping([denseLayer('b', 5, 1, [1, 1, -1, 2, 0])], TRUENORTH).violations).toEqual([]);
  });

  it('networkLayers: per-population fan-in, fan-out and synapses from a network', () => {
    const net = new Network({ dt: 1 });
    const a = net.addSource('a', 3, { kind: 'poisson', rate_hz: 1 });
    const b = net.addLIF('b', 4);
    // a0 -> b1, b3; a1 -> b0; b1 gets a second input from a2.
    net.connect(a, b, { kind: 'csr', rowPtr: [0, 2, 3, 4], cols: [1, 3, 0, 1], weights: [1, 1, 1, 1] });
    net.connect(b, b, { kind: 'dense', weights: { data: new Float32Array(16).fill(0.1), shape: [4, 4] } }, { delay: 1 });
    expect(networkLayers(net)).toEqual([{ name: 'b', neurons: 4, maxFanIn: 2 + 4, maxFanOut: 4, synapses: 4 + 16 }]);
    expect(checkMapping(net, TRUENORTH)).toMatchObject({ fits: true, coresNeeded: 1 });
  });

  it('networkLayers: a crossbar projection is all-to-all like dense weights', () => {
    const net = new Network({ dt: 1 });
    const a = net.addSource('a', 3, { kind: 'poisson', rate_hz: 1 });
    const b = net.addLIF('b', 4);
    net.connect(a, b, { kind: 'crossbar', weights: Array.from({ length: 4 }, () => [0.1, 0.2, 0.3]), crossbar: {} });
    expect(networkLayers(net)).toEqual([{ name: 'b', neurons: 4, maxFanIn: 3, maxFanOut: 4, synapses: 12 }]);
  });

  it('networkLayers: a 300,000-neuron population (Math.max(...fanIn) overflowed the stack)', () => {
    const net = new Network({ dt: 1 });
    const a = net.addSource('a', 1, { kind: 'poisson', rate_hz: 1 });
    const b = net.addLIF('b', 300_000);
    net.connect(a, b, { kind: 'fixed_probability', p: 0.5, weight: 0.1, procedural: true });
    const [layer] = networkLayers(net);
    expect(layer).toMatchObject({ name: 'b', neurons: 300_000, maxFanIn: 1 });
    expect(layer.maxFanOut).toBe(150_000);
  });

  it('quantizeWeights: uniform from 3 bits, ternary (TWN) at 2, binary at 1', () => {
    const q3 = quantizeWeights([-1, 0.5, 0.2, 1], 3);
    expect(q3.maxLevel).toBe(3);
    expect(Array.from(q3.weights)).toEqual([-1, 2 / 3, 1 / 3, 1]);
    // mean|w| = 0.55, threshold 0.385: the two large weights keep their mean magnitude 1.
    expect(Array.from(quantizeWeights([1, -1, 0.1, -0.1], 2).weights)).toEqual([1, -1, 0, 0]);
    expect(Array.from(quantizeWeights([0.5, -1.5], 1).weights)).toEqual([1, -1]);
    const q8 = quantizeWeights([0.3, -0.7, 1.27], 8);
    expect(q8.step).toBeCloseTo(0.01, 12);
    expect(() => quantizeWeights([Number.NaN], 4)).toThrow(/weights\[0\]/);
    expect(() => quantizeWeights([1], 0)).toThrow(/bits/);
  });
});

describe('ANN and crossbar counts', () => {
  it('MACs of dense and conv layers, crossbar reads per tile', () => {
    // 784-500-10 MLP: 392,000 + 5,000 MACs.
    const mlp = annWorkCounts([{ kind: 'dense', inputs: 784, outputs: 500 }, { kind: 'dense', inputs: 500, outputs: 10 }]);
    expect(mlp.macs).toBe(397_000);
    expect(mlp.memoryBytes).toBe(4 * (392_000 + 784 + 500 + 5_000 + 500 + 10));
    // 5x5 conv, 1 -> 6 channels, 24x24 output (28x28 input): 24*24*6*25 MACs.
    const conv = annWorkCounts([{ kind: 'conv', inChannels: 1, outChannels: 6, kernelH: 5, kernelW: 5, outH: 24, outW: 24 }]);
    expect(conv.macs).toBe(86_400);
    expect(conv.memoryBytes).toBe(4 * (150 + 784 + 3456));
    // Stride 2, 4x4 kernel, 3 -> 8 channels on a 28x28 input: 13x13 outputs cover (13-1)*2+4 = 28 rows.
    const s2 = annWorkCounts([{ kind: 'conv', inChannels: 3, outChannels: 8, kernelH: 4, kernelW: 4, outH: 13, outW: 13, stride: 2 }]);
    expect(s2.macs).toBe(13 * 13 * 8 * 16 * 3);
    expect(s2.memoryBytes).toBe(4 * (8 * 16 * 3 + 28 * 28 * 3 + 13 * 13 * 8));
    // 'same' 5x5 conv (pad 2) on 28x28: 28x28 outputs read the 28x28 input, not 32x32.
    const same = annWorkCounts([{ kind: 'conv', inChannels: 1, outChannels: 6, kernelH: 5, kernelW: 5, outH: 28, outW: 28, pad: 2 }]);
    expect(same.memoryBytes).toBe(4 * (150 + 784 + 28 * 28 * 6));
    // Stride 2 and pad 1, 3x3 kernel on 14x14: 7x7 outputs read rows -1..13, i.e. all 14 (the bottom pad
    // is not reached); without the input size the count assumes both pads are read: 13.
    const s2p = { kind: 'conv' as const, inChannels: 1, outChannels: 1, kernelH: 3, kernelW: 3, outH: 7, outW: 7, stride: 2, pad: 1 };
    expect(annWorkCounts([{ ...s2p, inH: 14, inW: 14 }]).memoryBytes).toBe(4 * (9 + 14 * 14 + 49));
    expect(annWorkCounts([s2p]).memoryBytes).toBe(4 * (9 + 13 * 13 + 49));
    // Stride 3, 2x2 kernel, 8x8 input: 3x3 outputs read rows 0..7, all 8; on 9x9 the last row is skipped.
    const s3 = { kind: 'conv' as const, inChannels: 1, outChannels: 1, kernelH: 2, kernelW: 2, outH: 3, outW: 3, stride: 3 };
    expect(annWorkCounts([{ ...s3, inH: 9, inW: 9 }]).memoryBytes).toBe(4 * (4 + 8 * 8 + 9));
    expect(() => annWorkCounts([{ kind: 'conv', inChannels: 1, outChannels: 1, kernelH: 3, kernelW: 3, outH: 7, outW: 7, stride: 0 }])).toThrow(/layers\[0\].stride/);
    expect(() => annWorkCounts([{ kind: 'conv', inChannels: 1, outChannels: 1, kernelH: 1, kernelW: 1, outH: 1, outW: 1, pad: 1 }])).toThrow(/layers\[0\].pad/);
    expect(arithmeticEnergy(mlp).joules / pJ).toBeCloseTo(397_000 * 4.6, 3);
    expect(() => annWorkCounts([{ kind: 'dense', inputs: 0, outputs: 3 }])).toThrow(/layers\[0\].inputs/);
    expect(crossbarWorkCounts({ inputs: 785, outputs: 10, tile_rows: 256 }, 3)).toMatchObject({ crossbarReads: 12, crossbarCellReads: 3 * 7850 });
  });
});
