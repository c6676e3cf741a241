import { ModelError, requireFinite, requireInRange, requirePositive } from '../util/validate.js';

/**
 * The chapter's `Memristor` (18.1.2), with its names and float64 semantics: resistance linear in
 * a state variable in [0, 1], and a state that moves by learn_rate * voltage * dt per update,
 * clipped to [0, 1]. Positive voltage raises the state (towards r_off: depression), negative
 * voltage lowers it (towards r_on: potentiation).
 *
 * The chapter's listing lost its indentation and its `else:`; the comments ("Increase
 * resistance" for voltage > 0, "Decrease resistance" otherwise) and the min/max bounds say the
 * second assignment is the else branch, which is how it is read here.
 *
 * The realistic device models (pulses, levels, variation, drift, faults) are in device.ts.
 */
export class Memristor {
  readonly r_on: number;
  readonly r_off: number;
  /** Internal state variable in [0, 1]: 0 is r_on, 1 is r_off. */
  state: number;

  /**
   * @param r_on low-resistance state (ohms), > 0
   * @param r_off high-resistance state (ohms), > r_on
   * @param initial_state internal state in [0, 1]
   */
  constructor(r_on = 100, r_off = 10000, initial_state = 0.5) {
    this.r_on = requirePositive('r_on', r_on);
    this.r_off = requireFinite('r_off', r_off);
    if (!(r_off > r_on)) throw new ModelError('r_off', `must be > r_on (${r_on} ohm), got ${r_off}`);
    this.state = requireInRange('initial_state', initial_state, 0, 1);
  }

  /** Current resistance (ohms) from the internal state. */
  get_resistance(): number {
    return this.r_on + this.state * (this.r_off - this.r_on);
  }

  /**
   * Moves the state by learn_rate * voltage * dt, clipped to [0, 1].
   * @param voltage applied voltage (V)
   * @param dt time step (s), > 0
   * @param learn_rate state change per volt-second, >= 0
   */
  update(voltage: number, dt = 1e-6, learn_rate = 1e-4): void {
    requireFinite('voltage', voltage);
    requirePositive('dt', dt);
    if (!(requireFinite('learn_rate', learn_rate) >= 0)) throw new ModelError('learn_rate', `must be >= 0, got ${learn_rate}`);
    if (voltage > 0) {
      this.state = Math.min(1.0, this.state + learn_rate * voltage * dt);
    } else {
      this.state = Math.max(0.0, this.state + learn_rate * voltage * dt);
    }
  }
}
