"""Runs a network described by a JSON spec in Brian2 and writes the results as JSON.

Used by tests/brian2.test.ts (validation) and bench/ (Brian2 as the peer). The spec comes from
the TypeScript side, so both simulators run the same neurons and, for networks, the identical
synapses (pre/post index files exported from our connectivity).

    python3 runner.py SPEC.json OUT.json

Spec keys beyond the model's (see tests/brian2/vogels-abbott-spec.ts):
  target     code generation target of the runtime device: 'numpy' (default) or 'cython'
  device     'runtime' (default) or 'cpp_standalone' (network mode only)
  build_dir  the cpp_standalone project directory; reusing it lets make recompile only the
             generated files that changed
Each network run reports wall_s (time around net.run, or around device.build for
cpp_standalone: code generation and any compilation included) and run_s, the time Brian itself
reports for its simulation loop (device._last_run_time: after code generation and compilation,
for both devices).

Mode `textbook` (bench/brian-peer.ts) runs CUBA or COBA as a Brian2 user writes it, not our exact
network: Brian2 draws the initial state and the connectivity itself (`connect(p=...)`), with two
synapse objects `on_pre='ge += we'` / `'gi += wi'` and one weight per projection, on the
cpp_standalone device; it reports like `network` mode.
"""
import json
import sys
import time

import numpy as np
from brian2 import (NeuronGroup, Network, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                    Synapses, defaultclock, device, ms, mV, prefs, seed, set_device)

EQUATIONS = {
    'cuba': '''dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
               dge/dt = -ge / taue : volt
               dgi/dt = -gi / taui : volt''',
    'coba': '''dv/dt = (ge * (Ee - v) + gi * (Ei - v) - (v - El)) / taum : volt (unless refractory)
               dge/dt = -ge / taue : 1
               dgi/dt = -gi / taui : 1''',
    'delta': '''dv/dt = -(v - El) / taum : volt (unless refractory)''',
    # Izhikevich (2003), v in mV and t in ms; u is in mV as in the paper.
    'izhikevich': '''dv/dt = (0.04 * v**2 / mV + 5 * v + 140 * mV - u + I) / ms : volt
                     du/dt = a * (b * v - u) / ms : volt''',
    # AdEx (Brette & Gerstner 2005) divided by g_L, as our model is; the adaptation variable is
    # `wa` because `w` names the synaptic weight.
    'adex': '''dv/dt = (-(v - El) + DeltaT * exp((v - VT) / DeltaT) - wa + I) / taum : volt
               dwa/dt = (a * (v - El) - wa) / tauw : volt''',
}
# Threshold and reset of the models that are not leaky integrate-and-fire (no refractory period).
SPIKING = {
    'izhikevich': ('v >= Vpeak', 'v = c\nu += d'),
    'adex': ('v >= Vpeak', 'v = Vr\nwa += b'),
}
WEIGHT_UNIT = {'cuba': mV, 'coba': 1, 'delta': mV, 'izhikevich': mV, 'adex': mV}
ON_PRE = {'cuba': '{r} += w', 'coba': '{r} += w', 'delta': 'v += w', 'izhikevich': 'v += w', 'adex': 'v += w'}


def namespace(model, p):
    """Brian2 names and units for our parameters (mV, ms; I is the input current times R, in mV)."""
    if model == 'izhikevich':
        return dict(a=p['a'], b=p['b'], c=p['c'] * mV, d=p['d'] * mV, Vpeak=p['v_peak'] * mV,
                    I=p['I'] * mV)
    if model == 'adex':
        return dict(taum=p['tau_m'] * ms, El=p['v_rest'] * mV, VT=p['v_t'] * mV,
                    DeltaT=p['delta_t'] * mV, tauw=p['tau_w'] * ms, a=p['a'], b=p['b'] * mV,
                    Vr=p['v_reset'] * mV, Vpeak=p['v_peak'] * mV, I=p['I'] * mV)
    return dict(El=p['v_rest'] * mV, taum=p['tau_m'] * ms, taue=p.get('tau_e', 5) * ms,
                taui=p.get('tau_i', 10) * ms, Ee=p.get('e_e', 0) * mV, Ei=p.get('e_i', -80) * mV,
                Vt=p['v_th'] * mV, Vr=p['v_reset'] * mV)


def group(spec, n):
    p = spec['params']
    if spec['model'] in SPIKING:
        threshold, reset = SPIKING[spec['model']]
        return NeuronGroup(n, EQUATIONS[spec['model']], threshold=threshold, reset=reset,
                           method=spec['method'], namespace=namespace(spec['model'], p), name='neurons')
    return NeuronGroup(n, EQUATIONS[spec['model']], threshold='v > Vt', reset='v = Vr',
                       refractory=p['t_ref'] * ms, method=spec['method'], namespace=namespace(spec['model'], p),
                       name='neurons')


def synapse_target(receptor):
    return {'exc': 'ge', 'inh': 'gi'}.get(receptor, receptor)


def run_trace(spec):
    defaultclock.dt = spec['dt'] * ms
    P = group(spec, 1)
    for var, value in spec.get('init', {'v': spec['params'].get('v_rest')}).items():
        setattr(P, var, value * mV)
    net = Network(P)
    for k, inp in enumerate(spec['inputs']):
        times = np.asarray(inp['times_ms'])
        src = SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), times * ms, name=f'src{k}')
        syn = Synapses(src, P, 'w : 1' if spec['model'] == 'coba' else 'w : volt',
                       on_pre=ON_PRE[spec['model']].format(r=synapse_target(inp['receptor'])),
                       name=f'syn{k}')
        syn.connect(i=0, j=0)
        syn.w = inp['weight'] * WEIGHT_UNIT[spec['model']]
        net.add(src, syn)
    state = StateMonitor(P, 'v', record=0, when='end')
    spikes = SpikeMonitor(P)
    net.add(state, spikes)
    net.run(spec['duration_ms'] * ms)
    return {'v': (state.v[0] / mV).tolist(), 'spike_times_ms': (spikes.t / ms).tolist()}


def cv_isi(i, t_ms, n):
    """Per neuron: CV (population std / mean) of the inter-spike intervals, None below 2 ISIs."""
    order = np.lexsort((t_ms, i))
    i, t_ms = i[order], t_ms[order]
    same = i[1:] == i[:-1]
    isi, owner = np.diff(t_ms)[same], i[1:][same]
    k = np.bincount(owner, minlength=n)
    mean = np.bincount(owner, weights=isi, minlength=n) / np.maximum(k, 1)
    var = np.bincount(owner, weights=(isi - mean[owner]) ** 2, minlength=n) / np.maximum(k, 1)
    cv = np.sqrt(var) / np.where(k > 0, mean, 1)
    return [float(c) if m >= 2 else None for c, m in zip(cv, k)]


def run_network(spec):
    n_exc, n_inh = spec['n_exc'], spec['n_inh']
    n = n_exc + n_inh
    standalone = spec.get('device', 'runtime') == 'cpp_standalone'
    runs = []
    for k_run, s in enumerate(spec['seeds']):
        if standalone:
            if k_run == 0:
                set_device('cpp_standalone', directory=spec['build_dir'], build_on_run=False)
            else:  # one build per run
                device.reinit()
                device.activate(directory=spec['build_dir'], build_on_run=False)
        defaultclock.dt = spec['dt'] * ms
        P = group(spec, n)
        init = spec['init']
        if s is None:  # our initial state, from files
            for var, unit in (('v', mV), ('ge', 1), ('gi', 1)):
                if var in init:
                    setattr(P, var, np.fromfile(init[var], dtype=np.float32).astype(float) * unit)
        else:  # Brian's own draw, for the seed-to-seed spread
            seed(s)
            for var, expr in init['expressions'].items():
                setattr(P, var, expr)
        net = Network(P)
        for k, proj in enumerate(spec['projections']):
            idx = np.fromfile(proj['file'], dtype=np.int32).reshape(2, -1)
            off_pre = 0 if proj['pre'] == 'exc' else n_exc
            off_post = 0 if proj['post'] == 'exc' else n_exc
            syn = Synapses(P, P, on_pre=ON_PRE[spec['model']].format(r=synapse_target(proj['receptor'])),
                           namespace={'w': proj['weight'] * WEIGHT_UNIT[spec['model']]}, name=f'syn{k}')
            syn.connect(i=idx[0] + off_pre, j=idx[1] + off_post)
            net.add(syn)
        mon = SpikeMonitor(P)
        net.add(mon)
        t0 = time.perf_counter()
        net.run(spec['duration_ms'] * ms)
        extra = {}
        if standalone:
            device.build(directory=spec['build_dir'], compile=True, run=True, with_output=False)
            extra = {'make_s': device.timers['compile']['make'], 'binary_s': device.timers['run_binary']}
        wall = time.perf_counter() - t0
        run_s = device._last_run_time
        i = np.asarray(mon.i, dtype=np.int64)
        counts = np.bincount(i, minlength=n)
        cv = cv_isi(i, np.asarray(mon.t / ms), n)
        runs.append({'seed': s, 'wall_s': wall, 'run_s': run_s, **extra, 'counts': counts.tolist(), 'cv': cv})
    return {'runs': runs}


def run_textbook(spec):
    """The textbook CUBA/COBA of Brian2's examples (Vogels & Abbott 2005 as in Brette et al. 2007),
    on cpp_standalone: Brian2 draws the initial state (spec['init'], expressions) and the
    connectivity (p, excitatory sources i < n_exc) from spec['seed']; weights w_e, w_i are one
    constant per projection. Spec: model, method, dt, duration_ms, n_exc, n_inh, p, w_e, w_i,
    params, init, seed, build_dir."""
    n_exc, n = spec['n_exc'], spec['n_exc'] + spec['n_inh']
    set_device('cpp_standalone', directory=spec['build_dir'], build_on_run=False)
    defaultclock.dt = spec['dt'] * ms
    seed(spec['seed'])
    P = group(spec, n)
    for var, expr in spec['init'].items():
        setattr(P, var, expr)
    unit = WEIGHT_UNIT[spec['model']]
    Ce = Synapses(P, P, on_pre='ge += we', namespace={'we': spec['w_e'] * unit}, name='Ce')
    Ci = Synapses(P, P, on_pre='gi += wi', namespace={'wi': spec['w_i'] * unit}, name='Ci')
    Ce.connect(f'i < {n_exc}', p=spec['p'])
    Ci.connect(f'i >= {n_exc}', p=spec['p'])
    mon = SpikeMonitor(P)
    net = Network(P, Ce, Ci, mon)
    t0 = time.perf_counter()
    net.run(spec['duration_ms'] * ms)
    device.build(directory=spec['build_dir'], compile=True, run=True, with_output=False)
    wall = time.perf_counter() - t0
    i = np.asarray(mon.i, dtype=np.int64)
    run = {'seed': spec['seed'], 'wall_s': wall, 'run_s': device._last_run_time,
           'make_s': device.timers['compile']['make'], 'binary_s': device.timers['run_binary'],
           'synapses': int(len(Ce) + len(Ci)), 'counts': np.bincount(i, minlength=n).tolist(),
           'cv': cv_isi(i, np.asarray(mon.t / ms), n)}
    return {'runs': [run]}


def run_stdp_window(spec):
    """The STDP window: neuron k of a pre and a post spike generator fire pairs at the given times,
    one-to-one synapses learn with trace-based pair STDP (Brian2's event-driven traces), and the
    final weight of each synapse is returned per rule. Spec: dt, duration_ms, n, pre_times and
    post_times ([neuron, t_ms] lists), delay_ms, rules: [{tau_plus, tau_minus, a_plus, a_minus,
    w_min, w_max, w0, weight_dependence, pairing}]."""
    defaultclock.dt = spec['dt'] * ms
    n = spec['n']
    pre_i, pre_t = np.asarray(spec['pre_times']).reshape(-1, 2).T
    post_i, post_t = np.asarray(spec['post_times']).reshape(-1, 2).T
    pre = SpikeGeneratorGroup(n, pre_i.astype(int), pre_t * ms, name='pre')
    post = SpikeGeneratorGroup(n, post_i.astype(int), post_t * ms, name='post')
    net = Network(pre, post)
    synapses = []
    for k, r in enumerate(spec['rules']):
        mult = r['weight_dependence'] == 'multiplicative'
        jump = '= 1' if r['pairing'] == 'nearest' else '+= 1'
        dep = 'Am * apost * (w - wmin)' if mult else 'Am * apost'
        pot = 'Ap * apre * (wmax - w)' if mult else 'Ap * apre'
        syn = Synapses(pre, post,
                       '''w : 1
                          dapre/dt = -apre / taupre : 1 (event-driven)
                          dapost/dt = -apost / taupost : 1 (event-driven)''',
                       on_pre=f'w = clip(w - {dep}, wmin, wmax)\napre {jump}',
                       on_post=f'w = clip(w + {pot}, wmin, wmax)\napost {jump}',
                       namespace=dict(taupre=r['tau_plus'] * ms, taupost=r['tau_minus'] * ms, Ap=r['a_plus'],
                                      Am=r['a_minus'], wmin=r['w_min'], wmax=r['w_max']),
                       name=f'stdp{k}')
        syn.connect(j='i')
        syn.w = r['w0']
        syn.pre.delay = spec['delay_ms'] * ms
        net.add(syn)
        synapses.append(syn)
    net.run(spec['duration_ms'] * ms)
    return {'w': [np.asarray(syn.w[:]).tolist() for syn in synapses]}


def main():
    spec = json.load(open(sys.argv[1]))
    prefs.codegen.target = spec.get('target', 'numpy')
    if spec['mode'] == 'stdp_window':
        result = run_stdp_window(spec)
    elif spec['mode'] == 'textbook':
        result = run_textbook(spec)
    else:
        result = run_trace(spec) if spec['mode'] == 'trace' else run_network(spec)
    json.dump(result, open(sys.argv[2], 'w'))


if __name__ == '__main__':
    main()
