/**
 * How the numbers of tests/parity/network-guarantees.ts were measured (docs/parity.md): each shared
 * parity network on the CPU twin against the emulated adapter, 8 seeds, printing the largest
 * potential distance before any divergence and the earliest step at which spikes diverged. A tool,
 * not a check (minutes of CPU): it runs only with MEASURE_GUARANTEES=1 (or =NAME,NAME).
 *
 *   MEASURE_GUARANTEES=1 npx vitest run tests/parity/measure-guarantees.test.ts
 */
import { describe, it } from 'vitest';
import { CpuSimulation } from '../../src/engine/cpu/cpu-simulation.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import type { Network } from '../../src/model/network.js';
import { brunel } from '../../src/networks/brunel.js';
import { EXAMPLES } from '../../src/networks/examples.js';
import { microcircuit } from '../../src/networks/microcircuit.js';
import { vogelsAbbott } from '../../src/networks/vogels-abbott.js';
import { mixedNetwork } from '../kitchen-sink.js';
import { diff, feedForward, proceduralNetwork, sparseBurstNetwork, sparseRecurrent } from '../parity-cases.js';
import { plasticNetwork } from '../plasticity-cases.js';
import { runEmulated } from './emulated-adapter.js';

const va = (model: 'cuba' | 'coba') => {
  const net = vogelsAbbott({ model, seed: 3 });
  net.monitorVoltage(net.population('exc'), [0, 1, 2, 3199]);
  return net;
};

/** name, network, steps, ulps a step (LIF_STEP of the network's populations). */
const NETWORKS: [string, () => Network, number, number][] = [
  ['feed-forward', () => feedForward(600, 611), 120, 1],
  ['sparse-recurrent', () => sparseRecurrent(4000, 5), 400, 1],
  ['sparse-burst', sparseBurstNetwork, 40, 1],
  ['procedural', () => proceduralNetwork(5000, 11), 200, 2],
  ['va-cuba', () => va('cuba'), 500, 2],
  ['va-coba', () => va('coba'), 500, 3],
  ['mixed', mixedNetwork, 400, 3],
  ['brunel', () => brunel({ state: 'SI_fast', n: 2500, seed: 3 }), 300, 1],
  ['microcircuit', () => microcircuit({ scale: 0.02, procedural: true, seed: 3 }), 300, 2],
  ['crossbar-example', () => EXAMPLES.get('crossbar-synapses')!.build(), 400, 1],
  ['plastic', () => plasticNetwork({}), 400, 1],
];

const wanted = (process.env.MEASURE_GUARANTEES ?? '').split(',');

describe('parity guarantees measured on the emulated adapter', () => {
  for (const [name, build, steps, ulps] of NETWORKS) {
    it.skipIf(!wanted.includes('1') && !wanted.includes(name))(name, async () => {
      const net = build();
      const cpu = new CpuSimulation(lowerNetwork(net));
      cpu.runSync(steps);
      let earliest = Infinity;
      let largest = 0;
      for (let seed = 11; seed <= 18; seed++) {
        const { observation } = await diff(name, net, steps, cpu, await runEmulated(build(), steps, { ulps, seed }));
        const divergence = observation.firstDivergence();
        earliest = Math.min(earliest, divergence ?? Infinity);
        for (const f of observation.floats) {
          if (f.perStep) largest = Math.max(largest, ...f.perStep.slice(0, divergence ?? steps));
          else if (divergence === null) largest = Math.max(largest, f.largest[0] ?? 0);
        }
      }
      console.log(`${name}: ${steps} steps, ${ulps} ulp a step: largest ${largest} ulps; earliest divergence ${Number.isFinite(earliest) ? `step ${earliest}` : 'none'}`);
    }, 1_800_000);
  }
});
