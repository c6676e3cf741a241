import { requireFinite, requireNonNegative, requirePositive } from '../util/validate.js';
import type { LIFInput } from '../model/neuron.js';

/**
 * The chapter's single `SpikingNeuron` (18.1.1), line for line: rest and reset at 0, leaky
 * integration with Euler steps, and a refractory check `t - last_spike_time <= tau_ref`.
 */
export class SpikingNeuron {
  membrane_potential = 0;
  last_spike_time = -Infinity;
  t = 0;

  constructor(
    readonly threshold = 1.0,
    readonly tau_m = 10.0,
    readonly tau_ref = 2.0,
  ) {
    requireFinite('threshold', threshold);
    requirePositive('tau_m', tau_m);
    requireNonNegative('tau_ref', tau_ref);
  }

  /** Advances by dt (ms) with the given input; returns 1 on a spike, else 0. */
  update(input_current: number, dt = 1.0): 0 | 1 {
    requireFinite('input_current', input_current);
    requirePositive('dt', dt);
    this.t += dt;
    if (this.t - this.last_spike_time <= this.tau_ref) return 0;
    const d_v = (-this.membrane_potential + input_current) / this.tau_m;
    this.membrane_potential += d_v * dt;
    if (this.membrane_potential >= this.threshold) {
      this.membrane_potential = 0.0;
      this.last_spike_time = this.t;
      return 1;
    }
    return 0;
  }
}

/**
 * Engine parameters that make a LIF population behave as `SpikingNeuron`: the single neuron
 * sits out the tau_ref / dt steps after a spike, the engine R - 1 steps with R = t_ref / dt,
 * so t_ref = tau_ref + dt.
 */
export function spikingNeuronParams(threshold = 1.0, tau_m = 10.0, tau_ref = 2.0, dt = 1.0): LIFInput {
  return { v_rest: 0, v_reset: 0, v_th: threshold, tau_m, t_ref: tau_ref + dt, integration: 'euler' };
}
