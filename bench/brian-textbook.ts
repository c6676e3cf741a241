/**
 * The runner spec (tests/brian2/runner.py, `textbook` mode) for CUBA or COBA written as a Brian2
 * user writes them (Brian2's `examples/CUBA.py`; COBA as in the Brette et al. 2007 / Brian2GeNN
 * benchmark scripts): our parameters, but Brian2 draws the initial state and the connectivity
 * itself (`Ce.connect('i < Ne', p=p)`), and each projection is one synapse object with one constant
 * weight (`on_pre='ge += we'`). CUBA integrates with `exact`, COBA with `euler`.
 *
 * Against the `network` spec (tests/brian2/vogels-abbott-spec.ts), which replays our exact
 * synapses as four synapse objects loaded from files and integrates COBA with
 * `exponential_euler`, this is the lighter formulation Brian2's own benchmarks time.
 */
import { VOGELS_ABBOTT, type VogelsAbbottIntegration, type VogelsAbbottModel, vogelsAbbottMethod } from '../src/networks/vogels-abbott.js';

/** Brian2's seed for the initial state and the connectivity. */
export const TEXTBOOK_SEED = 1;

/**
 * The integration method of the textbook formulation (Brian2's `method`, and the same option of
 * our network): the benchmark compares it with our network integrated the same way.
 */
export const TEXTBOOK_INTEGRATION: Record<VogelsAbbottModel, VogelsAbbottIntegration> = { cuba: 'exact', coba: 'euler' };

export function textbookSpec(model: VogelsAbbottModel, n: number, durationMs: number, buildDir: string): Record<string, unknown> {
  const P = VOGELS_ABBOTT;
  const nE = Math.round(n * 0.8);
  const w = model === 'cuba' ? P.cuba : P.coba;
  const params =
    model === 'cuba'
      ? { v_rest: P.cuba.e_l, v_reset: P.v_reset, v_th: P.v_th, tau_m: P.tau_m, t_ref: P.t_ref, tau_e: P.tau_e, tau_i: P.tau_i }
      : { v_rest: P.coba.e_l, v_reset: P.v_reset, v_th: P.v_th, tau_m: P.tau_m, t_ref: P.t_ref, tau_e: P.tau_e, tau_i: P.tau_i, e_e: P.coba.e_e, e_i: P.coba.e_i };
  // The initial state of Brian2's examples: CUBA from potentials uniform in [Vr, Vt] and no
  // synaptic input; COBA from the distributions our network draws from (without them it is silent).
  const init = model === 'cuba' ? { v: 'Vr + rand() * (Vt - Vr)', ge: '0 * mV', gi: '0 * mV' } : { v: '(-60 + 5 * randn()) * mV', ge: '4 + 1.5 * randn()', gi: '20 + 12 * randn()' };
  return {
    mode: 'textbook',
    model,
    method: vogelsAbbottMethod(model, TEXTBOOK_INTEGRATION[model]),
    dt: P.dt,
    duration_ms: durationMs,
    n_exc: nE,
    n_inh: n - nE,
    // Constant in-degree, as our network scales: p = 0.02 at N = 4,000.
    p: Math.min(1, (P.connection_probability_at_4000 * 4000) / n),
    w_e: w.w_e,
    w_i: w.w_i,
    params,
    init,
    seed: TEXTBOOK_SEED,
    device: 'cpp_standalone',
    build_dir: buildDir,
  };
}
