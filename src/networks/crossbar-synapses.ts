/**
 * The crossbar-synapses example: the same weight matrix used twice, once as an ideal dense
 * projection and once programmed onto an RRAM crossbar read by the spikes (src/ops/crossbar-synapses/cpu.ts),
 * so a run shows what the devices and the periphery do to the spikes of the layer behind them.
 */
import { Network } from '../model/network.js';
import { CounterRng } from '../util/rng.js';
import type { CrossbarSynapseSpec } from '../model/crossbar-weights.js';

export interface CrossbarSynapsesOptions {
  seed?: number;
}

/**
 * The crossbar of the example. HfOx RRAM conductances 1-100 uS (Yu, Proc. IEEE 2018), 32
 * levels (multi-level RRAM shows 8-64, Wu et al., VLSI 2018), 2 % read noise, 1 % stuck-ON and
 * 1 % stuck-OFF devices (illustrative; Xia et al., DAC 2017 report 9 % and 1.75 % in one
 * fabricated array), 1 ohm per wire segment (Cu lines at ~100 nm pitch: 1-5 ohm), tiles of 32
 * rows and an 8-bit ADC per column.
 */
export const CROSSBAR_SYNAPSES: CrossbarSynapseSpec = {
  device: { g_min: 1e-6, g_max: 100e-6, levels: 32, read_noise: 0.02, stuck_on: 0.01, stuck_off: 0.01 },
  tile_rows: 32,
  adc_bits: 8,
  r_wire: 1,
};

export function crossbarSynapses(options: CrossbarSynapsesOptions = {}): Network {
  const seed = options.seed ?? 7;
  const net = new Network({ dt: 0.5, seed });
  const nIn = 64;
  const nOut = 32;
  const input = net.addSource('input', nIn, { kind: 'poisson', rate_hz: 20 });
  const params = { integration: 'exact' as const, tau_m: 10, v_rest: 0, v_reset: 0, v_th: 10, t_ref: 2, receptors: { syn: { kind: 'exp_current' as const, tau: 5 } } };
  const ideal = net.addLIF('ideal', nOut, params);
  const rram = net.addLIF('rram', nOut, params);
  // Mostly excitatory weights (mV per spike), rounded to 1 uV so the file stays short.
  const rng = new CounterRng(seed, 11);
  const weights = Array.from({ length: nOut }, () => Array.from({ length: nIn }, () => Math.round((1.8 + 1.5 * rng.normal()) * 1000) / 1000));
  net.connect(input, ideal, { kind: 'dense', weights }, { delay: 1 });
  net.connect(input, rram, { kind: 'crossbar', weights, crossbar: CROSSBAR_SYNAPSES }, { delay: 1 });
  net.monitorSpikes(input);
  net.monitorSpikes(ideal);
  net.monitorSpikes(rram);
  net.monitorVoltage(ideal, [0, 1, 2]);
  net.monitorVoltage(rram, [0, 1, 2]);
  return net;
}
