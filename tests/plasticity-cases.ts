/** Networks shared by the plasticity suites (tests/plasticity*.test.ts) and bench/plasticity.ts. */
import { Network } from '../src/model/network.js';
import type { PlasticityInput } from '../src/model/plasticity.js';

/**
 * One presynaptic source neuron and one postsynaptic LIF neuron made to fire at given times by a
 * strong delta-receptor drive; the plastic pre -> post synapse (weight 0.5 of [0, 1], delta, too
 * weak to matter) sees pre spikes at `preTimes` (arriving `delay` steps later) and post spikes at
 * `postTimes` (ms, on the dt grid).
 */
export function pairNetwork(preTimes: number[], postTimes: number[], plasticity: Partial<PlasticityInput>, options: { dt?: number; delay?: number; w0?: number; dense?: boolean } = {}): Network {
  const net = new Network({ dt: options.dt ?? 0.1, seed: 1 });
  const pre = net.addSource('pre', 1, { kind: 'times', times: [preTimes] });
  const drive = net.addSource('drive', 1, { kind: 'times', times: [postTimes] });
  const post = net.addLIF('post', 1, { t_ref: 0, receptors: { drive: { kind: 'delta' }, syn: { kind: 'delta' } } });
  net.connect(drive, post, { kind: 'one_to_one', weight: 100 }, { receptor: 'drive' });
  const w0 = options.w0 ?? 0.5;
  const conn = options.dense ? ({ kind: 'dense', weights: [[w0]] } as const) : ({ kind: 'one_to_one', weight: w0 } as const);
  net.connect(pre, post, conn, { name: 'syn', receptor: 'syn', delay: options.delay ?? 0, plasticity: { rule: 'stdp', w_max: 1, ...plasticity } as PlasticityInput });
  net.monitorSpikes(post);
  return net;
}

/**
 * A small recurrent network with three plastic projections (dense with delay 1, sparse with
 * delay 3, recurrent sparse with delay 2) under Poisson drive, for GPU/CPU parity.
 */
export function plasticNetwork(plasticity: Partial<PlasticityInput>, options: { seed?: number; nIn?: number; nExc?: number; structural?: boolean } = {}): Network {
  const nIn = options.nIn ?? 80;
  const nExc = options.nExc ?? 40;
  const net = new Network({ dt: 0.5, seed: options.seed ?? 7 });
  const input = net.addSource('in', nIn, { kind: 'poisson', rate_hz: 30 });
  const exc = net.addLIF('exc', nExc, { receptors: { a: { kind: 'exp_current', tau: 5 }, b: { kind: 'delta' } } });
  net.injectCurrent(exc, { amplitude: 12 });
  const dense: number[][] = [];
  for (let i = 0; i < nExc; i++) dense.push(Array.from({ length: nIn }, (_, j) => ((i * 7 + j * 13) % 17) / 17));
  const rule = { rule: 'stdp', w_max: 1, ...plasticity } as PlasticityInput;
  net.connect(input, exc, { kind: 'dense', weights: dense }, { name: 'dense', receptor: 'a', delay: 1, plasticity: rule });
  // The sparse projections may be declared structural (rewirable); a dense one cannot be.
  const sparseRule = options.structural ? { ...rule, structural: true } : rule;
  net.connect(input, exc, { kind: 'fixed_probability', p: 0.3, weight: 0.4 }, { name: 'sparse', receptor: 'b', delay: 3, plasticity: sparseRule });
  net.connect(exc, exc, { kind: 'fixed_probability', p: 0.2, weight: 0.3 }, { name: 'recurrent', receptor: 'b', delay: 2, plasticity: sparseRule });
  net.monitorSpikes(exc);
  net.monitorSpikes(input);
  return net;
}
