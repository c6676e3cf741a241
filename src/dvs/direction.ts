/**
 * A direction-selective spiking circuit on DVS events (Hassenstein–Reichardt correlator, after
 * Hassenstein & Reichardt, Z. Naturforsch. 11b, 1956): per column x of the sensor a relay neuron
 * fires when ON events of the column arrive together (three within about 1.5 ms: a leading edge); a "right" detector between
 * columns x and x + 1 gets relay x delayed by `delay_ms` and relay x + 1 undelayed, and fires only
 * when both arrive together (each arm alone drives it to 0.6 of threshold), i.e. when an edge moves
 * right by one column in delay_ms; the "left" detector swaps the arms. The answer is the detector
 * population with more spikes.
 */
import type { EventStream } from '../events/stream.js';
import type { GpuContext } from '../webgpu/device.js';
import { requireInRange } from '../util/validate.js';
import { Network } from '../model/network.js';
import { compile } from '../engine/compile.js';
import { addDvsSource } from './network.js';

export interface DirectionOptions {
  /** Time an edge takes to move one column (ms): the delay of the correlator's slow arm. */
  delay_ms: number;
  /** Simulated time (ms) from t0. */
  duration_ms: number;
  dt?: number;
  t0_us?: number;
}

export interface DirectionResult {
  direction: 'left' | 'right' | 'none';
  right: number;
  left: number;
  relaySpikes: number;
}

const RELAY = { v_rest: 0, v_reset: 0, v_th: 1, tau_m: 4, t_ref: 40 };
/** Each ON event moves a relay neuron this fraction of the way to threshold: three events close
 * together fire it (at dt 0.5 ms: 0.75 ms apart do, 1 ms apart do not, four 1 ms apart do;
 * tests/dvs-network.test.ts), so an edge (many pixels of the column at once) does and isolated
 * noise events (the noisy sensor's 5 Hz per pixel) mostly do not. */
const RELAY_EVENT_FRACTION = 0.4;
const DETECTOR = { v_rest: 0, v_reset: 0, v_th: 1, tau_m: 4, t_ref: 2 };

/** Builds the correlator network on a DVS source (exported for the page, which shows it). */
export function buildDirectionNetwork(ev: EventStream, options: DirectionOptions): Network {
  const dt = requireInRange('dt', options.dt ?? 0.5, 0.01, 5);
  const delayMs = requireInRange('delay_ms', options.delay_ms, dt, 1000);
  const { width, height } = ev;
  const net = new Network({ dt });
  const src = addDvsSource(net, 'dvs', ev, options.t0_us ?? 0);
  const relay = net.addLIF('relay', width, RELAY);
  const right = net.addLIF('right', Math.max(1, width - 1), DETECTOR);
  const left = net.addLIF('left', Math.max(1, width - 1), DETECTOR);
  // Euler LIF: a spike of weight w moves v by w dt / tau_m.
  const kick = (fraction: number, tau: number) => (fraction * tau) / dt;
  // ON pixels of column x -> relay x; each event moves the relay RELAY_EVENT_FRACTION = 0.4 of the
  // way to threshold, so it takes three ON events close together (two give 0.8; the leak,
  // tau_m = 4 ms, drains the charge between them: three 1 ms apart fall short) to fire it, not one.
  const n = 2 * width * height;
  const rowPtr = new Uint32Array(n + 1);
  const cols: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i < width * height) cols.push(i % width);
    rowPtr[i + 1] = cols.length;
  }
  net.connect(src, relay, { kind: 'csr', rowPtr, cols, weights: new Float32Array(cols.length).fill(kick(RELAY_EVENT_FRACTION, RELAY.tau_m)) }, { delay: 1, name: 'dvs->relay' });
  // relay x -> detector x (its left column) and detector x - 1 (its right column).
  const arm = (offset: number) => {
    const w = Math.max(1, width - 1);
    const rp = new Uint32Array(width + 1);
    const cs: number[] = [];
    for (let x = 0; x < width; x++) {
      const d = x - offset;
      if (d >= 0 && d < width - 1) cs.push(d);
      rp[x + 1] = cs.length;
    }
    return { kind: 'csr' as const, rowPtr: rp, cols: cs, weights: new Float32Array(cs.length).fill(kick(0.6, DETECTOR.tau_m)), n: w };
  };
  const slow = 1 + Math.round(delayMs / dt);
  const { n: _r, ...leftColumn } = arm(0); // relay x as the left column of detector x
  const { n: _l, ...rightColumn } = arm(1); // relay x as the right column of detector x - 1
  net.connect(relay, right, leftColumn, { delay: slow, name: 'relay->right slow' });
  net.connect(relay, right, rightColumn, { delay: 1, name: 'relay->right fast' });
  net.connect(relay, left, rightColumn, { delay: slow, name: 'relay->left slow' });
  net.connect(relay, left, leftColumn, { delay: 1, name: 'relay->left fast' });
  net.monitorSpikes(relay);
  net.monitorSpikes(right);
  net.monitorSpikes(left);
  return net;
}

/** Runs the correlator on the events and says which way the edges moved. */
export async function detectDirection(ev: EventStream, options: DirectionOptions & { backend?: 'cpu' | 'gpu'; gpu?: GpuContext; fused?: 'auto' | 'always' | 'never' }): Promise<DirectionResult> {
  const net = buildDirectionNetwork(ev, options);
  const duration = requireInRange('duration_ms', options.duration_ms, 0, 1e7);
  const sim = await compile(net, { backend: options.backend ?? 'cpu', gpu: options.gpu, fused: options.fused });
  try {
    await sim.runFor(duration);
    const right = sim.spikes('right').total();
    const left = sim.spikes('left').total();
    return { direction: right > left ? 'right' : left > right ? 'left' : 'none', right, left, relaySpikes: sim.spikes('relay').total() };
  } finally {
    sim.dispose();
  }
}
