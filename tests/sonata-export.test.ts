/**
 * networkToSonata (src/interop/sonata-export.ts): the synapses the engine built, in NEST's
 * models and units, and spike sources driven by the engine's own trains. NEST is not in Debian,
 * so the circuit is read back (our reader, and h5py for the layout) rather than run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { Network } from '../src/model/network.js';
import { compile } from '../src/engine/compile.js';
import { networkToSonata, SONATA_C_M_PF } from '../src/interop/sonata-export.js';
import { exportNetwork } from '../src/interop/export.js';
import { readSonataEdges, readSonataNodes, readSonataSpikes } from '../src/interop/sonata/read.js';
import { writeSonata } from '../src/interop/sonata/write.js';

const PYTHON = '/usr/bin/python3';
const h5py = spawnSync(PYTHON, ['-c', 'import h5py'], { encoding: 'utf8' }).status === 0;

describe('SONATA export', () => {
  it('CUBA: iaf_psc_exp nodes, every engine synapse as an edge, weights in pA for C_m = 250 pF', async () => {
    const net = vogelsAbbott({ model: 'cuba', n: 400, seed: 3 });
    const { files, warnings } = await exportNetwork(net, 'sonata', { duration_ms: 50 });
    // CUBA's one-step delays: NEST stamps a spike at its step's end, so one step is its minimum of 0 + 1.
    expect(warnings).toEqual(['exc->exc', 'exc->inh', 'inh->exc', 'inh->inh'].map((p) => `${p}: a delay of 1 step is shorter than NEST's one-step minimum for this source; it arrives one step later there`));
    const nodes = await readSonataNodes(files.get('network/nodes.h5') as Uint8Array);
    expect(nodes.map((n) => [n.population, n.nodeTypeId.length])).toEqual([['exc', 320], ['inh', 80]]);
    // CUBA's random initial potentials, per node.
    const vInit = nodes[0].groups.get(0)!['dynamics_params/V_m'] ?? nodes[0].groups.get(0)!.V_m;
    expect(vInit?.data.length).toBe(320);
    const types = files.get('network/node_types.csv') as string;
    expect(types).toContain('nest:iaf_psc_exp');
    const edges = await readSonataEdges(files.get('network/edges.h5') as Uint8Array);
    expect(edges.reduce((a, e) => a + e.sourceNodeId.length, 0)).toBe(net.synapseCount);
    const ee = edges.find((e) => e.population === 'exc_to_exc')!;
    const proj = net.projections.find((p) => p.name === 'exc->exc')!;
    const w = proj.weights;
    if (w.kind !== 'sparse') throw new Error('CUBA is stored sparse');
    // Edge k of the export is synapse k of the CSR (row j = source node j).
    expect(ee.sourceNodeId[0]).toBe(0);
    expect(ee.targetNodeId[0]).toBe(w.cols[0]);
    expect(ee.synWeight![0]).toBeCloseTo((w.weights[0] * SONATA_C_M_PF) / 20, 9);
    expect(ee.delay![0]).toBeCloseTo(0.1, 12);
    const config = JSON.parse(files.get('simulation_config.json') as string);
    expect(config.run.tstop).toBe(50);
    expect(config.run.dt).toBe(0.1);
  });

  it('COBA: iaf_cond_exp with the reversal potentials and synaptic taus of its receptors', async () => {
    const { circuit } = networkToSonata(vogelsAbbott({ model: 'coba', n: 400, seed: 3 }), { duration_ms: 20 });
    const exc = circuit.nodes.find((n) => n.population === 'exc')!;
    expect(exc.modelTemplate).toBe('nest:iaf_cond_exp');
    expect(exc.dynamicsParams).toMatchObject({ E_ex: 0, E_in: -80, tau_syn_ex: 5, tau_syn_in: 10, tau_m: 20, C_m: SONATA_C_M_PF });
    // NEST routes a conductance spike by its weight's sign: the inhibitory receptor's are negative.
    const edge = (name: string) => circuit.edges.find((e) => e.population === name)!.synWeight;
    expect(edge('inh_to_exc').every((w) => w < 0)).toBe(true);
    expect(edge('exc_to_inh').every((w) => w > 0)).toBe(true);
  });

  it('a Poisson source becomes virtual nodes driven by the spike trains the engine itself draws', async () => {
    const net = new Network({ dt: 0.1, seed: 4 });
    const src = net.addSource('drive', 30, { kind: 'poisson', rate_hz: 80 });
    const lif = net.addLIF('lif', 5, { receptors: { d: { kind: 'delta' } } });
    net.connect(src, lif, { kind: 'fixed_probability', p: 0.5, weight: 1 }, { delay: 2 });
    net.monitorSpikes(src);
    const { circuit } = networkToSonata(net, { duration_ms: 100 });
    const sim = await compile(net, { backend: 'cpu' });
    await sim.run(1000);
    const events = sim.spikes('drive').events();
    const input = circuit.inputs![0];
    expect(input.population).toBe('drive');
    expect(Array.from(input.nodeIds)).toEqual(Array.from(events.neurons));
    expect(Array.from(input.timestamps)).toEqual(Array.from(events.steps, (s) => s * 0.1));
    expect(events.neurons.length).toBeGreaterThan(150);
    expect(circuit.nodes[1].modelTemplate).toBe('nest:iaf_psc_delta');
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-sonata-'));
    await writeSonata(circuit, dir);
    const { readFileSync } = await import('node:fs');
    const spikes = await readSonataSpikes(readFileSync(join(dir, 'inputs', 'drive_spikes.h5')));
    expect(spikes[0].timestamps.length).toBe(events.neurons.length);
  });

  it('refuses what NEST point neurons cannot be, naming the population', () => {
    const net = new Network({ dt: 0.1 });
    net.addIzhikevich('izh', 3);
    expect(() => networkToSonata(net, { duration_ms: 10 })).toThrow(/populations\.izh\.model: izhikevich has no NEST mapping/);
    const sub = new Network({ dt: 0.1 });
    sub.addLIF('s', 3, { reset: 'subtract' });
    expect(() => networkToSonata(sub, { duration_ms: 10 })).toThrow(/populations\.s: NEST point neurons leak, reset to V_reset/);
  });

  it.skipIf(!h5py)('h5py reads the edges with the SONATA layout: populations, node_population attributes, counts', async () => {
    const net = vogelsAbbott({ model: 'cuba', n: 400, seed: 3 });
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-sonata-h5py-'));
    await writeSonata(networkToSonata(net, { duration_ms: 50 }).circuit, dir);
    const script = `
import h5py, json, sys
f = h5py.File(sys.argv[1] + '/network/edges.h5')
out = {}
for name, g in f['edges'].items():
    out[name] = [len(g['source_node_id']), g['source_node_id'].attrs['node_population'], g['target_node_id'].attrs['node_population'], float(g['0']['syn_weight'][()].sum())]
print(json.dumps(out))`;
    const r = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, [number, string, string, number]>;
    const proj = net.projections.find((p) => p.name === 'inh->exc')!;
    const w = proj.weights;
    if (w.kind !== 'sparse') throw new Error('sparse');
    expect(out.inh_to_exc.slice(0, 3)).toEqual([w.cols.length, 'inh', 'exc']);
    expect(out.inh_to_exc[3]).toBeCloseTo((w.weights.reduce((a, x) => a + x, 0) * SONATA_C_M_PF) / 20, 3);
  });
});
