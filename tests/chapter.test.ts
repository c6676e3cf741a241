import { afterAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { runCodeLab } from '../src/lab/code-lab.js';
import { pattern_1, pattern_2 } from '../src/lab/patterns.js';
import { SpikingNeuron, spikingNeuronParams } from '../src/lab/spiking-neuron.js';
import { DEMO_SEED, DEMO_WEIGHT_SCALE, SpikingNeuralNetwork } from '../src/lab/spiking-network.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { plotActivity } from '../src/plot/activity.js';
import { svgToPng } from '../src/plot/png.js';
import { ChapterSNN } from './chapter-port.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

/** Runs the literal port and both backends on the same weights and compares them. */
async function checkAgainstChapter(snn: SpikingNeuralNetwork, pattern: (t: number) => number[]) {
  const port = new ChapterSNN(snn.w_input_hidden, snn.w_hidden_output);
  port.run_simulation(pattern, 200);
  const gpu = await requireGpu();
  const spikes: number[] = [];
  for (const options of [{ backend: 'cpu' as const }, { backend: 'gpu' as const, gpu }]) {
    await snn.run_simulation(pattern, 200, options);
    expect(snn.spike_history_hidden, options.backend).toEqual(port.spike_history_hidden);
    expect(snn.spike_history_output, options.backend).toEqual(port.spike_history_output);
    // float32 engine vs the float64 chapter: potentials agree to well under a microvolt per mV.
    for (const [ours, theirs] of [
      [snn.v_history_hidden, port.v_history_hidden],
      [snn.v_history_output, port.v_history_output],
    ]) {
      let worst = 0;
      ours.forEach((row, s) => row.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - theirs[s][i])))));
      expect(worst, options.backend).toBeLessThan(2e-4);
    }
    spikes.push(snn.spike_history_hidden.flat().reduce((a, b) => a + b, 0));
  }
  return spikes[0];
}

describe("the chapter's SpikingNeuralNetwork.step(), ported literally", () => {
  it("with the chapter's own N(0, 0.1) weights nothing spikes, on either backend", async () => {
    const snn = new SpikingNeuralNetwork(5, 10, 2, { seed: 1 });
    expect(await checkAgainstChapter(snn, pattern_1)).toBe(0);
    expect(snn.v_history_hidden.flat().every((v) => v < -69)).toBe(true);
  });

  for (const [scale, seed] of [
    [DEMO_WEIGHT_SCALE, DEMO_SEED],
    [300, 5],
    [900, 8],
  ]) {
    for (const [name, pattern] of [
      ['pattern_1', pattern_1],
      ['pattern_2', pattern_2],
    ] as const) {
      it(`weights x${scale} (seed ${seed}), ${name}: same spikes and potentials as the chapter`, async () => {
        const snn = new SpikingNeuralNetwork(5, 10, 2, { weight_scale: scale, seed });
        expect(await checkAgainstChapter(snn, pattern)).toBeGreaterThan(0);
      });
    }
  }

  it('the demo tells the two patterns apart: pattern_1 drives output 1, pattern_2 output 0', async () => {
    const one = await runCodeLab('pattern_1', { backend: 'cpu' });
    const two = await runCodeLab('pattern_2', { backend: 'cpu' });
    expect(one.outputCounts[0]).toBe(0);
    expect(one.outputCounts[1]).toBeGreaterThan(2);
    expect(two.outputCounts[0]).toBeGreaterThan(2);
    expect(two.outputCounts[1]).toBe(0);
    expect(one.spikeCounts.input).toBe(140);
  });
});

describe("the chapter's SpikingNeuron", () => {
  it('spikes on the steps the formula gives, and the engine reproduces it', () => {
    for (const current of [1.5, 3, 12]) {
      const neuron = new SpikingNeuron(1.0, 10.0, 2.0);
      const literal: number[] = [];
      const potentials: number[] = [];
      for (let s = 0; s < 300; s++) {
        if (neuron.update(current, 1.0)) literal.push(s);
        potentials.push(neuron.membrane_potential);
      }
      const net = new Network({ dt: 1 });
      const pop = net.addLIF('n', 1, spikingNeuronParams(1.0, 10.0, 2.0, 1.0));
      net.injectCurrent(pop, { amplitude: current });
      net.monitorSpikes(pop);
      net.monitorVoltage(pop, [0]);
      const sim = new CpuSimulation(lowerNetwork(net));
      sim.runSync(300);
      expect(sim.spikes('n').spikeTimes(0)).toEqual(literal);
      const v = sim.voltage('n').trace(0);
      potentials.forEach((p, s) => expect(v[s]).toBeCloseTo(p, 5));
      // Climb from 0 to threshold takes ceil(tau ln(I / (I - 1))) steps, then tau_ref steps off.
      const climb = Math.ceil(-1 / Math.log(0.9) * Math.log(current / (current - 1)) - 1e-9);
      expect(literal[1] - literal[0]).toBe(2 + climb);
    }
  });

  it('rejects bad arguments by name', () => {
    expect(() => new SpikingNeuron(1, -1)).toThrow(/tau_m: must be > 0/);
    expect(() => new SpikingNeuron().update(NaN)).toThrow(/input_current: must be a finite number/);
  });
});

describe('plot_activity', () => {
  it("draws the chapter's four panels with every spike and the threshold lines", async () => {
    const run = await runCodeLab('pattern_1', { backend: 'cpu' });
    const svg = plotActivity(run.snn, 'Pattern 1 Response');
    for (const title of ['Hidden Layer Spike Raster', 'Output Layer Spike Raster', 'Hidden Layer Membrane Potentials', 'Output Layer Membrane Potentials', 'Pattern 1 Response']) {
      expect(svg).toContain(title);
    }
    expect(svg.match(/class="spike"/g)?.length).toBe(run.spikeCounts.hidden + run.spikeCounts.output);
    expect(svg.match(/class="trace"/g)?.length).toBe(3 + 2);
    expect(svg.match(/class="hline"/g)?.length).toBe(2);
    const png = await svgToPng(svg);
    expect(Array.from(png.slice(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = new DataView(png.buffer, png.byteOffset).getUint32(16);
    expect(width).toBe(960);
  });

  it('refuses to plot an empty history, as the chapter does', () => {
    expect(() => plotActivity(new SpikingNeuralNetwork(5, 10, 2))).toThrow(/no simulation data to plot/);
  });
});
