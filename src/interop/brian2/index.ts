/**
 * Export of a Network as a standalone Brian2 script: `model.py` plus data/*.npy with every
 * synapse, initial state and spike time of the explicit form (src/interop/explicit.ts), so Brian2
 * builds the identical connections. `python3 model.py` runs it and writes spikes.csv
 * (population,neuron,time_ms, as `neuromorph run` does) and, for voltage monitors, voltage.csv
 * (time_ms and one column per neuron, as Neuromorph's traces.csv).
 *
 * The neuron groups step exactly as the engine (see neurons.ts); what cannot be expressed is
 * refused (ModelError naming the projection or population) or approximated with a warning:
 * - plasticity: refused (the learning rules are not mapped);
 * - crossbar projections: refused (see explicit.ts);
 * - zero delays: Brian2 acts one step later (warning, see inputs.ts);
 * - Poisson sources and inputs: the same statistics, not the same draws (Brian2's own RNG).
 */
import type { Network } from '../../model/network.js';
import { ModelError, rejectUnknownKeys, requireInt, requirePositive } from '../../util/validate.js';
import { type ExplicitNetwork, explicitNetwork } from '../explicit.js';
import { ExportFiles, identifiers, pyNumber, pyString } from './files.js';
import { poissonInputCode, sourceCode, synapsesCode } from './inputs.js';
import { neuronGroupCode } from './neurons.js';

export interface Brian2ExportOptions {
  /** Biological time the script runs by default (ms); function sources are evaluated over it. */
  duration_ms: number;
  /** Seed of Brian2's own random numbers (Poisson sources and inputs); default the network's seed. */
  seed?: number;
}

export interface Brian2Export {
  /** model.py and data/*.npy, by path relative to the export folder. */
  files: Map<string, string | Uint8Array>;
  /** Everything approximated rather than reproduced; also listed in model.py's docstring. */
  warnings: string[];
}

export function exportBrian2(net: Network, options: Brian2ExportOptions): Brian2Export {
  if (options === null || typeof options !== 'object') throw new ModelError('brian2', 'options must be an object { duration_ms, seed? }');
  rejectUnknownKeys('brian2', options, ['duration_ms', 'seed']);
  const duration = requirePositive('brian2.duration_ms', options.duration_ms);
  const seed = requireInt('brian2.seed', options.seed ?? net.seed, 0, 0xffffffff);
  const x = explicitNetwork(net, { duration_ms: duration, omitZeroWeights: true });
  for (const proj of x.projections) {
    if (proj.plasticity) {
      throw new ModelError(`projections.${proj.name}.plasticity`, `the Brian2 export does not map learning rules (${proj.plasticity.rule}); export the network without plasticity (its weights are exported as they are now)`);
    }
  }
  const warnings = [...x.warnings];
  if (x.poissonInputs.length > 0 || x.populations.some((p) => p.kind === 'source' && p.source.kind === 'poisson')) {
    warnings.push("Poisson sources and inputs: the same rates, drawn by Brian2's own random numbers (PoissonGroup; PoissonInput as Binomial(N, rate dt) with N >= 1000 lambda, within 0.1 % of the engine's Poisson(lambda) variance)");
  }
  const files = new ExportFiles();
  const body = networkCode(x, files, warnings);
  files.text('model.py', script(x, body, duration, seed, warnings));
  return { files: files.files, warnings };
}

function networkCode(x: ExplicitNetwork, files: ExportFiles, warnings: string[]): string {
  const popIds = identifiers(
    x.populations.map((p) => p.name),
    'pop_',
  );
  const projIds = identifiers(
    x.projections.map((p) => p.name),
    'syn_',
  );
  const blocks: string[] = [];
  for (const pop of x.populations) {
    const ident = popIds[pop.id];
    if (pop.kind === 'source') blocks.push(sourceCode(pop, ident, files));
    else blocks.push(neuronGroupCode(pop, { ident, dt: x.dt, currents: x.currents.filter((c) => c.population === pop.id), files, warnings }));
  }
  for (const proj of x.projections) {
    const post = x.populations[proj.post];
    if (post.kind !== 'neuron') throw new Error(`unreachable: projection ${proj.name} onto a source`);
    blocks.push(synapsesCode(proj, { ident: projIds[proj.id], preIdent: popIds[proj.pre], postIdent: popIds[proj.post], post, files, warnings }));
  }
  x.poissonInputs.forEach((q, k) => {
    const post = x.populations[q.population];
    if (post.kind !== 'neuron') throw new Error('unreachable: Poisson input to a source');
    blocks.push(poissonInputCode(q, popIds[q.population], post, x.dt, k));
  });
  const spikes = x.spikeMonitors.map((id) => `    (${pyString(x.populations[id].name)}, SpikeMonitor(${popIds[id]}, name=${pyString(`spikes_${popIds[id]}`)})),`);
  const voltages = x.voltageMonitors.map(
    (m) => `    (${pyString(x.populations[m.population].name)}, [${Array.from(m.indices).join(', ')}], StateMonitor(${popIds[m.population]}, 'v', record=[${Array.from(m.indices).join(', ')}], when='end', name=${pyString(`v_${popIds[m.population]}`)})),`,
  );
  if (spikes.length === 0) warnings.push('no population has a spike monitor: spikes.csv will hold only its header');
  blocks.push(['spike_monitors = [', ...spikes, ']', 'voltage_monitors = [', ...voltages, ']', 'net.add([m for _, m in spike_monitors], [m for _, _, m in voltage_monitors])'].join('\n'));
  return blocks.join('\n\n');
}

function script(x: ExplicitNetwork, body: string, duration: number, seed: number, warnings: string[]): string {
  const warningText = warnings.length > 0 ? warnings.map((w) => `  - ${w}`).join('\n') : '  (none: every part of the network is reproduced)';
  return `#!/usr/bin/env python3
"""
A Neuromorph network exported for Brian2 (written by neuromorph's Brian2 export).

    python3 model.py [--duration-ms T] [--seed S] [--target auto|numpy|cython] [--out DIR]

Builds the network from data/*.npy (the exact synapses, initial states and spike times
Neuromorph built), runs it and writes spikes.csv (population,neuron,time_ms) and, where
voltages are monitored, voltage.csv (time_ms, then one column per neuron, v after each step).

Time step: dt = ${pyNumber(x.dt)} ms. A Neuromorph delay of d steps is a Brian2 delay of (d - 1) dt:
Neuromorph applies input before the update of the arrival step, Brian2 after the update of the
step it is delivered in. The 'current' receptor (input current for one step) is Icur, cleared
after each update; the 'delta' receptor is Jd, added to v before the next update.

Approximations of this export:
${warningText}
"""
import argparse
import os

import numpy as np
from brian2 import (Hz, Network, NeuronGroup, PoissonGroup, PoissonInput, SpikeGeneratorGroup, SpikeMonitor,
                    StateMonitor, Synapses, defaultclock, ms, mV, prefs, seed)

HERE = os.path.dirname(os.path.abspath(__file__))


def data(name):
    return np.load(os.path.join(HERE, 'data', name))


def fmt(x):
    """A time in ms as Neuromorph writes it: up to 6 decimals, no trailing zeros."""
    return ('%.6f' % x).rstrip('0').rstrip('.')


parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
parser.add_argument('--duration-ms', type=float, default=${pyNumber(duration)})
parser.add_argument('--seed', type=int, default=${seed})
parser.add_argument('--target', default='auto', choices=['auto', 'numpy', 'cython'])
parser.add_argument('--out', default=HERE)
args = parser.parse_args()

prefs.codegen.target = args.target
DT_MS = ${pyNumber(x.dt)}
defaultclock.dt = DT_MS * ms
dt = defaultclock.dt
seed(args.seed)
net = Network()

${body}

net.run(args.duration_ms * ms)

os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, 'spikes.csv'), 'w') as f:
    f.write('population,neuron,time_ms\\n')
    for name, mon in spike_monitors:
        i = np.asarray(mon.i, dtype=np.int64)
        steps = np.round(np.asarray(mon.t / ms) / DT_MS).astype(np.int64)
        order = np.lexsort((i, steps))
        f.writelines('%s,%d,%s\\n' % (name, i[k], fmt(steps[k] * DT_MS)) for k in order)
if voltage_monitors:
    header = ['time_ms'] + ['%s[%d]' % (name, j) for name, idx, _ in voltage_monitors for j in idx]
    columns = [np.asarray(mon.v / mV)[k] for _, idx, mon in voltage_monitors for k in range(len(idx))]
    steps = len(columns[0])
    with open(os.path.join(args.out, 'voltage.csv'), 'w') as f:
        f.write(','.join(header) + '\\n')
        for s in range(steps):
            f.write(fmt((s + 1) * DT_MS) + ',' + ','.join(repr(float(c[s])) for c in columns) + '\\n')
`;
}
