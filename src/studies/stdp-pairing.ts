/**
 * Classic plasticity protocols as networks: the STDP window (weight change vs spike timing, pairs
 * at a low rate) and the pairing-frequency protocol of Sjöström et al. (2001) that Pfister &
 * Gerstner (2006, Fig. 5) reproduce with triplet STDP. Each synapse k is an independent copy of
 * the protocol: presynaptic source neuron k -> postsynaptic LIF neuron k (one-to-one, plastic,
 * delta receptor, weights too small to matter), and neuron k is made to fire at the protocol's
 * times by a strong zero-delay drive, so the same network runs on either backend.
 */
import { Network } from '../model/network.js';
import type { Simulation } from '../engine/simulation.js';
import type { PlasticityInput } from '../model/plasticity.js';

export interface PairingProtocol {
  /** Timing difference t_post - t_arrival(pre) of each synapse (ms). */
  dt_ms: number[];
  /** Pairing frequency of each synapse (Hz). */
  rate_hz: number[];
  /** Pairs per synapse. */
  pairs: number;
  rule: PlasticityInput;
  /** Initial weight (within the rule's bounds). */
  w0: number;
  /** Time step (ms); default 0.1. */
  dt?: number;
  /** Axonal delay of the plastic projection (ms, a multiple of dt); default 0. */
  delay_ms?: number;
  /** First presynaptic spike (ms); default 10. */
  start_ms?: number;
}

export interface PairingRun {
  network: Network;
  /** [neuron, t_ms] of every presynaptic emission and every postsynaptic spike. */
  preTimes: [number, number][];
  postTimes: [number, number][];
  /** Steps that cover the protocol and 100 ms after it. */
  steps: number;
  duration_ms: number;
}

/** The projection the protocols' plastic synapses belong to. */
export const PROTOCOL_PROJECTION = 'plastic';

export function pairingProtocol(p: PairingProtocol): PairingRun {
  const dt = p.dt ?? 0.1;
  const delay = p.delay_ms ?? 0;
  const delaySteps = Math.round(delay / dt);
  const start = p.start_ms ?? 10;
  const n = p.dt_ms.length;
  if (p.rate_hz.length !== n) throw new Error('pairingProtocol: dt_ms and rate_hz need one entry per synapse');
  const snap = (t: number) => Math.round(t / dt) * dt;
  const pre: number[][] = [];
  const post: number[][] = [];
  const preTimes: [number, number][] = [];
  const postTimes: [number, number][] = [];
  let end = 0;
  for (let k = 0; k < n; k++) {
    const period = 1000 / p.rate_hz[k];
    // A negative timing difference needs the post spike first: shift the pair so both are >= start.
    const lead = Math.max(0, -(p.dt_ms[k] + delay));
    pre.push([]);
    post.push([]);
    for (let m = 0; m < p.pairs; m++) {
      const tPre = snap(start + lead + m * period);
      const tPost = snap(tPre + delay + p.dt_ms[k]);
      pre[k].push(tPre);
      post[k].push(tPost);
      preTimes.push([k, tPre]);
      postTimes.push([k, tPost]);
      end = Math.max(end, tPre + delay, tPost);
    }
  }
  const net = new Network({ dt, seed: 1 });
  const src = net.addSource('pre', n, { kind: 'times', times: pre });
  const drive = net.addSource('drive', n, { kind: 'times', times: post });
  const target = net.addLIF('post', n, { t_ref: 0, receptors: { drive: { kind: 'delta' }, syn: { kind: 'delta' } } });
  net.connect(drive, target, { kind: 'one_to_one', weight: 100 }, { receptor: 'drive' });
  net.connect(src, target, { kind: 'one_to_one', weight: p.w0 }, { name: PROTOCOL_PROJECTION, receptor: 'syn', delay: delaySteps, plasticity: p.rule });
  net.monitorSpikes(target);
  const duration = end + 100;
  return { network: net, preTimes, postTimes, steps: Math.round(duration / dt), duration_ms: duration };
}

/** Runs a protocol's network and returns each synapse's weight change. */
export async function runPairing(sim: Simulation & { weights(projection: string): Promise<Float32Array> }, run: PairingRun, w0: number): Promise<number[]> {
  await sim.run(run.steps);
  const w = await sim.weights(PROTOCOL_PROJECTION);
  return Array.from(w, (x) => x - w0);
}
