/**
 * A Network rebuilt from the explicit form of another: the same populations (LIF and sources),
 * each projection given as its explicit synapse list (dense as a matrix, the rest as CSR rows),
 * the same currents, Poisson inputs and monitors. Running both on the CPU backend checks that the
 * explicit form holds exactly the synapses the engine delivers (procedural rows included).
 */
import type { ExplicitNetwork } from '../../src/interop/explicit.js';
import { Network, type Population } from '../../src/model/network.js';
import type { ReceptorSpec } from '../../src/model/neuron.js';

export function rebuildFromExplicit(x: ExplicitNetwork): Network {
  const net = new Network({ dt: x.dt, seed: x.seed });
  const pops: Population[] = x.populations.map((p) => {
    if (p.kind === 'source') {
      const src = p.source;
      if (src.kind === 'poisson') return net.addSource(p.name, p.n, { kind: 'poisson', rate_hz: Array.from(src.rate_hz) });
      const times: number[][] = Array.from({ length: p.n }, () => []);
      src.step.forEach((s, k) => times[src.neuron[k]].push(s * x.dt));
      return net.addSource(p.name, p.n, { kind: 'times', times });
    }
    if (p.model !== 'lif') throw new Error(`rebuild: ${p.model} is not rebuilt here`);
    const q = p.params;
    const receptors: Record<string, ReceptorSpec> = {};
    for (const r of p.receptors) receptors[r.name] = 'tau' in r.spec ? { ...r.spec, init: Array.from(r.init) } : r.spec;
    return net.addLIF(p.name, p.n, { v_rest: q.v_rest, v_reset: q.v_reset, v_th: q.v_th, tau_m: q.tau_m, t_ref: q.t_ref, integration: q.integration, v_init: Array.from(p.v_init), receptors });
  });
  for (const proj of x.projections) {
    const pre = x.populations[proj.pre];
    const post = x.populations[proj.post];
    const options = { name: proj.name, receptor: proj.receptorName, ...(typeof proj.delay === 'number' ? { delay: proj.delay } : { delays: Array.from(proj.delay) }) };
    if (proj.connectivity === 'dense') {
      const data = new Float32Array(pre.n * post.n);
      proj.weight.forEach((w, s) => (data[proj.postIndex[s] * pre.n + proj.preIndex[s]] = w));
      net.connect(pops[proj.pre], pops[proj.post], { kind: 'dense', weights: { data, shape: [post.n, pre.n] } }, options);
    } else {
      const rowPtr = new Uint32Array(pre.n + 1);
      for (const j of proj.preIndex) rowPtr[j + 1]++;
      for (let j = 0; j < pre.n; j++) rowPtr[j + 1] += rowPtr[j];
      net.connect(pops[proj.pre], pops[proj.post], { kind: 'csr', rowPtr, cols: proj.postIndex, weights: proj.weight }, options);
    }
  }
  for (const c of x.currents) {
    net.injectCurrent(pops[c.population], { amplitude: c.amplitude, start_ms: c.startStep * x.dt, ...(c.stopStep === null ? {} : { stop_ms: c.stopStep * x.dt }) });
  }
  for (const q of x.poissonInputs) net.addPoissonInput(pops[q.population], { count: q.count!, rate_hz: q.rate_hz!, weight: q.weight, receptor: q.receptorName });
  for (const id of x.spikeMonitors) net.monitorSpikes(pops[id]);
  for (const m of x.voltageMonitors) net.monitorVoltage(pops[m.population], m.indices);
  return net;
}
