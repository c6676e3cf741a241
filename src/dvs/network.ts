/**
 * Events into a network: a DVS becomes a spike-source population of 2 * width * height neurons,
 * one per pixel and polarity. Neuron y * width + x spikes with the ON events of pixel (x, y);
 * neuron width * height + y * width + x with its OFF events. The population is the existing
 * `times` source (src/model/network.ts), so it runs unchanged on both backends; each event time is
 * (t - t0) / 1000 ms, rounded to the nearest step by the source, and several events of one pixel
 * and polarity in one step make one spike.
 */
import type { EventStream } from '../events/stream.js';
import { ModelError, requireFinite } from '../util/validate.js';
import type { Network, SourcePopulation } from '../model/network.js';

/** Index of the source neuron of pixel (x, y) and polarity p (1 ON, 0 OFF). */
export function dvsNeuron(width: number, height: number, x: number, y: number, p: number): number {
  return (p === 1 ? 0 : width * height) + y * width + x;
}

/** Spike times (ms since t0_us) per source neuron, 2 * width * height lists, ascending. */
export function eventsToSpikeTimes(ev: EventStream, t0Us = 0): number[][] {
  requireFinite('t0_us', t0Us);
  const { width, height } = ev;
  const times: number[][] = Array.from({ length: 2 * width * height }, () => []);
  for (let k = 0; k < ev.t.length; k++) {
    const x = ev.x[k];
    const y = ev.y[k];
    if (x >= width || y >= height) throw new ModelError(`events[${k}]`, `pixel (${x}, ${y}) outside the ${width} x ${height} sensor`);
    const p = ev.p[k];
    if (p > 1) throw new ModelError(`events[${k}].p`, `must be 0 or 1, got ${p}`);
    const t = (ev.t[k] - t0Us) / 1000;
    if (!(t >= 0)) throw new ModelError(`events[${k}].t`, `must be >= t0_us = ${t0Us}, got ${ev.t[k]}`);
    times[dvsNeuron(width, height, x, y, p)].push(t);
  }
  for (const list of times) list.sort((a, b) => a - b);
  return times;
}

/** Adds a population that spikes with the events (see the module comment for the neuron order). */
export function addDvsSource(net: Network, name: string, ev: EventStream, t0Us = 0): SourcePopulation {
  return net.addSource(name, 2 * ev.width * ev.height, { kind: 'times', times: eventsToSpikeTimes(ev, t0Us) });
}
