/**
 * The text of run_pynn.py: the network as data (POPULATIONS, PROJECTIONS, POISSON_INPUTS,
 * CURRENTS, written by the export) and a fixed program that builds it in PyNN 0.10 on the
 * simulator named by --simulator, runs it and writes spikes.csv (and voltage.csv) from rank 0.
 *
 * Timing, from the engine's steps to each simulator's milliseconds: the engine stamps a spike
 * with the start of the step in which v crossed threshold and applies input before the update of
 * the arrival step. Brian2 stamps the same way but applies a synapse after its step's update;
 * NEURON and NEST stamp at the end of the step; sources fire at their own times everywhere. So
 * a delay of d steps is (d - 1) dt between neurons, and from a spike source d dt on NEURON and
 * NEST but (d - 1) dt on Brian2, never below one dt (PyNN's minimum; on NEURON dt (1 + 1e-6),
 * which its parallel fixed step accepts and delivers at the same step as dt); the R - 1 steps a neuron
 * does not integrate after its spike step are tau_refrac = R dt from Brian2's stamp, (R - 1) dt
 * from NEURON's and NEST's.
 */
import { pyNumber } from '../brian2/files.js';

export interface PynnScriptParts {
  dt: number;
  durationMs: number;
  seed: number;
  simulator: string;
  populations: string[];
  projections: string[];
  poissonInputs: string[];
  currents: string[];
  warnings: string[];
}

export function pynnScript(s: PynnScriptParts): string {
  const list = (items: string[]) => (items.length === 0 ? '[]' : `[\n${items.map((x) => `    ${x},`).join('\n')}\n]`);
  const warningText = s.warnings.length > 0 ? s.warnings.map((w) => `  - ${w}`).join('\n') : '  (none)';
  return `#!/usr/bin/env python3
"""
A Neuromorph network exported for PyNN 0.10 (written by neuromorph's PyNN export).

    python3 run_pynn.py [--simulator neuron|brian2|nest] [--duration-ms T] [--seed S] [--out DIR]
    mpirun -np 4 python3 run_pynn.py --simulator neuron

Builds the network from data/*.npy (the exact synapses, initial states and spike times
Neuromorph built), runs it and writes, from MPI rank 0, spikes.csv (population,neuron,time_ms)
and, where voltages are monitored, voltage.csv (time_ms, then one column per neuron).
Spike times are as the simulator reports them: NEURON and NEST stamp a spike at the end of the
step in which v crossed threshold, Neuromorph and Brian2 at its start (dt = ${pyNumber(s.dt)} ms earlier).

Units: mV, ms, nA, nF, uS. Leaky cells have cm = 1 nF, so an input of I mV in Neuromorph (a
current times the membrane resistance tau_m / cm) is I * cm / tau_m nA here.
Delays and refractory periods: see delay_ms() and refractory_ms() below.

Approximations of this export:
${warningText}
"""
import argparse
import importlib
import json
import os
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def data(name):
    return np.load(os.path.join(HERE, 'data', name))


DT = ${pyNumber(s.dt)}

# The network, as the export wrote it. Delays are in Neuromorph steps; weights, currents and
# states are already in PyNN's units.
POPULATIONS = ${list(s.populations)}
PROJECTIONS = ${list(s.projections)}
POISSON_INPUTS = ${list(s.poissonInputs)}
CURRENTS = ${list(s.currents)}


def fmt(x):
    """A time in ms as Neuromorph writes it: up to 6 decimals, no trailing zeros."""
    return ('%.6f' % x).rstrip('0').rstrip('.')


# PyNN's NEURON cells reset their synapses to 0 in finitialize and ignore initialize(gsyn_exc=...,
# isyn_exc=...): these initial values are set after the mechanisms' INITIAL blocks instead.
# ExpISyn's state i is the outward current, so an inward isyn of x nA is i = -x.
NEURON_SYNAPSE_STATE = {'gsyn_exc': ('esyn', 'g', 1), 'gsyn_inh': ('isyn', 'g', 1),
                        'isyn_exc': ('esyn', 'i', -1), 'isyn_inh': ('isyn', 'i', -1)}


def neuron_synaptic_init(pop, values):
    from neuron import h

    def apply():
        for cell in pop:  # the cells of this MPI rank
            k = pop.id_to_index(cell)
            for name, value in values.items():
                synapse, var, sign = NEURON_SYNAPSE_STATE[name]
                setattr(getattr(cell._cell, synapse), var, sign * float(np.broadcast_to(value, (pop.size,))[k]))
    return h.FInitializeHandler(1, apply)


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--simulator', default=${JSON.stringify(s.simulator)}, choices=['neuron', 'brian2', 'nest'])
    parser.add_argument('--duration-ms', type=float, default=${pyNumber(s.durationMs)})
    parser.add_argument('--seed', type=int, default=${s.seed})
    parser.add_argument('--out', default=HERE)
    parser.add_argument('--brian2-target', default='auto', choices=['auto', 'numpy', 'cython'],
                        help="Brian2's code generation target, with --simulator brian2")
    args = parser.parse_args()
    sim = importlib.import_module('pyNN.' + args.simulator)
    started = time.time()
    stamp_at_end = args.simulator != 'brian2'

    # NEURON's parallel fixed step refuses a minimum delay of exactly dt (it needs more); a delay
    # of dt (1 + 1e-6) is delivered at the same step boundary as dt, and accepted.
    shortest = DT * (1 + 1e-6) if args.simulator == 'neuron' else DT

    def delay_ms(steps, from_source):
        lag = 0 if (from_source and stamp_at_end) else 1
        return np.maximum((np.asarray(steps, dtype=float) - lag) * DT, shortest)

    def refractory_ms(steps):
        return max(steps - (1 if stamp_at_end else 0), 0) * DT

    delays = [delay_ms(p['delay'], p['from_source']) for p in PROJECTIONS] + [np.asarray(shortest)]
    extra = {}
    if args.simulator == 'neuron':
        extra['native_rng_baseseed'] = args.seed
    elif args.simulator == 'nest':
        extra['rng_seed'] = args.seed
    else:
        import brian2
        brian2.prefs.codegen.target = args.brian2_target
        brian2.seed(args.seed)
    sim.setup(timestep=DT, min_delay=float(min(np.min(d) for d in delays)),
              max_delay=float(max(np.max(d) for d in delays)), **extra)

    pops = {}
    handlers = []  # NEURON FInitializeHandlers must stay referenced
    for spec in POPULATIONS:
        params = dict(spec['params'])
        if spec.get('refractory_steps') is not None:
            params['tau_refrac'] = refractory_ms(spec['refractory_steps'])
        if spec['cell'] == 'SpikeSourceArray':
            neuron, step = spec['spikes']
            times = [[] for _ in range(spec['n'])]
            for i, s in zip(np.asarray(neuron).tolist(), np.asarray(step).tolist()):
                times[i].append(s * DT)
            params['spike_times'] = [sim.Sequence(t) for t in times]
        pop = sim.Population(spec['n'], getattr(sim, spec['cell'])(**params), label=spec['name'])
        init = dict(spec.get('init', {}))
        if args.simulator == 'neuron':
            synaptic = {k: init.pop(k) for k in list(init) if k in NEURON_SYNAPSE_STATE}
            if synaptic:
                handlers.append(neuron_synaptic_init(pop, synaptic))
        if init:
            pop.initialize(**init)
        if spec.get('record_spikes'):
            pop.record('spikes')
        if spec.get('record_v'):
            pop[spec['record_v']].record('v', sampling_interval=DT)
        pops[spec['name']] = pop

    for p in PROJECTIONS:
        n = len(p['pre'])
        pre, post = pops[p['pre_population']], pops[p['post_population']]
        weight = np.broadcast_to(p['weight'], n)
        delay = np.broadcast_to(delay_ms(p['delay'], p['from_source']), n)
        if args.simulator == 'brian2':
            # PyNN's brian2 backend sets a list's synapses one at a time (minutes for 10^5): give
            # the arrays at once to the Brian2 Synapses object it makes for the projection.
            proj = sim.Projection(pre, post, sim.FromListConnector(np.zeros((0, 4)), column_names=['weight', 'delay']),
                                  sim.StaticSynapse(), receptor_type=p['receptor'], label=p['name'])
            syn = proj._brian2_synapses[0][0]
            syn.connect(i=np.asarray(p['pre']), j=np.asarray(p['post']))
            celltype = post.celltype
            unit = (brian2.mV if getattr(celltype, 'voltage_based_synapses', False)
                    else brian2.uS if celltype.conductance_based else brian2.nA)
            syn.weight = np.asarray(weight, dtype=float) * unit
            syn.delay = np.asarray(delay, dtype=float) * brian2.ms
            proj._n_connections += n
        else:
            conn = np.column_stack([p['pre'], p['post'], weight, delay])
            sim.Projection(pre, post, sim.FromListConnector(conn, column_names=['weight', 'delay']), sim.StaticSynapse(),
                           receptor_type=p['receptor'], label=p['name'])

    for q in POISSON_INPUTS:
        post = pops[q['population']]
        src = sim.Population(post.size, sim.SpikeSourcePoisson(rate=q['rate_hz']), label=q['name'])
        sim.Projection(src, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=q['weight'], delay=shortest),
                       receptor_type=q['receptor'], label=q['name'])

    for c in CURRENTS:
        pop = pops[c['population']]
        amplitude = np.broadcast_to(np.asarray(c['amplitude'], dtype=float), (pop.size,))
        for value in np.unique(amplitude):
            if value == 0:
                continue
            idx = np.nonzero(amplitude == value)[0]
            times = dict(start=c['start_ms']) if c['stop_ms'] is None else dict(start=c['start_ms'], stop=c['stop_ms'])
            sim.DCSource(amplitude=float(value), **times).inject_into(pop if len(idx) == pop.size else pop[idx])

    built = time.time()
    sim.run(args.duration_ms)
    ran = time.time()

    rows = []
    traces = []
    for order, spec in enumerate(POPULATIONS):
        if spec.get('record_spikes'):
            pop = pops[spec['name']]
            block = pop.get_data('spikes', gather=True)
            for st in block.segments[0].spiketrains:
                # NEURON's trains carry the index in the population; Brian2's only the global id.
                i = st.annotations.get('source_index')
                if i is None:
                    i = pop.id_to_index(int(st.annotations.get('source_id', st.annotations.get('channel_id'))))
                i = int(i)
                rows.extend((int(round(t / DT)), order, i) for t in np.asarray(st.magnitude, dtype=float))
        if spec.get('record_v'):
            block = pops[spec['name']].get_data('v', gather=True)
            for sig in block.segments[0].analogsignals:
                channels = sig.array_annotations['channel_index']
                values = np.asarray(sig.magnitude, dtype=float)
                steps = np.round(np.asarray(sig.times, dtype=float) / DT).astype(int)
                for k, i in enumerate(channels):
                    traces.append(('%s[%d]' % (spec['name'], i), steps, values[:, k]))
    if sim.rank() == 0:
        os.makedirs(args.out, exist_ok=True)
        rows.sort()
        with open(os.path.join(args.out, 'spikes.csv'), 'w') as f:
            f.write('population,neuron,time_ms\\n')
            f.writelines('%s,%d,%s\\n' % (POPULATIONS[o]['name'], i, fmt(s * DT)) for s, o, i in rows)
        if traces:
            # Samples at t = s dt, s >= 1: v after Neuromorph's step s - 1 (its traces.csv rows).
            steps = [s for s in traces[0][1] if s >= 1]
            index = [dict(zip(t[1].tolist(), range(len(t[1])))) for t in traces]
            with open(os.path.join(args.out, 'voltage.csv'), 'w') as f:
                f.write(','.join(['time_ms'] + [t[0] for t in traces]) + '\\n')
                for s in steps:
                    f.write(fmt(s * DT) + ',' + ','.join(repr(float(t[2][ix[s]])) for t, ix in zip(traces, index)) + '\\n')
        # What neuromorph compare reads beside spikes.csv (sizes, dt, steps), and the timings.
        summary = dict(simulator=args.simulator, ranks=sim.num_processes(), dt_ms=DT, steps=int(round(args.duration_ms / DT)),
                       populations={p['name']: dict(n=p['n']) for p in POPULATIONS if p.get('record_spikes')},
                       build_s=round(built - started, 3), run_s=round(ran - built, 3), spikes=len(rows))
        with open(os.path.join(args.out, 'summary.json'), 'w') as f:
            json.dump(summary, f, indent=2)
        print(json.dumps(summary))
    sim.end()


if __name__ == '__main__':
    main()
`;
}
