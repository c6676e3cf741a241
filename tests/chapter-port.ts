/**
 * The chapter's SpikingNeuralNetwork.step() ported literally (float64, numpy semantics), as the
 * test oracle for both backends. Kept out of src/ on purpose: it is the specification.
 */
export class ChapterSNN {
  v_rest = -70.0;
  v_reset = -75.0;
  v_threshold = -55.0;
  tau_m = 10.0;
  refractory_period = 2.0;
  v_hidden: number[];
  v_output: number[];
  refractory_time_hidden: number[];
  refractory_time_output: number[];
  spike_history_hidden: number[][] = [];
  spike_history_output: number[][] = [];
  v_history_hidden: number[][] = [];
  v_history_output: number[][] = [];
  t = 0;

  constructor(
    readonly w_input_hidden: number[][],
    readonly w_hidden_output: number[][],
    readonly dt = 1.0,
  ) {
    this.v_hidden = w_input_hidden.map(() => this.v_rest);
    this.v_output = w_hidden_output.map(() => this.v_rest);
    this.refractory_time_hidden = w_input_hidden.map(() => 0);
    this.refractory_time_output = w_hidden_output.map(() => 0);
  }

  step(input_spikes: number[]): number[] {
    this.t += this.dt;
    const input_current = dot(this.w_input_hidden, input_spikes);
    const active_hidden = this.refractory_time_hidden.map((r) => r <= 0);
    const dv_hidden = this.v_hidden.map((v, i) => (-v + this.v_rest + input_current[i]) / this.tau_m);
    this.v_hidden = this.v_hidden.map((v, i) => (active_hidden[i] ? v + dv_hidden[i] * this.dt : v));
    const hidden_spikes = this.v_hidden.map((v) => (v >= this.v_threshold ? 1 : 0));
    hidden_spikes.forEach((s, i) => {
      if (s) {
        this.v_hidden[i] = this.v_reset;
        this.refractory_time_hidden[i] = this.refractory_period;
      }
    });
    this.refractory_time_hidden = this.refractory_time_hidden.map((r) => Math.max(0, r - this.dt));

    const output_current = dot(this.w_hidden_output, hidden_spikes);
    const active_output = this.refractory_time_output.map((r) => r <= 0);
    const dv_output = this.v_output.map((v, i) => (-v + this.v_rest + output_current[i]) / this.tau_m);
    this.v_output = this.v_output.map((v, i) => (active_output[i] ? v + dv_output[i] * this.dt : v));
    const output_spikes = this.v_output.map((v) => (v >= this.v_threshold ? 1 : 0));
    output_spikes.forEach((s, i) => {
      if (s) {
        this.v_output[i] = this.v_reset;
        this.refractory_time_output[i] = this.refractory_period;
      }
    });
    this.refractory_time_output = this.refractory_time_output.map((r) => Math.max(0, r - this.dt));

    this.spike_history_hidden.push([...hidden_spikes]);
    this.spike_history_output.push([...output_spikes]);
    this.v_history_hidden.push([...this.v_hidden]);
    this.v_history_output.push([...this.v_output]);
    return output_spikes;
  }

  run_simulation(input_pattern: (t: number) => number[], simulation_time = 100): number[][] {
    const steps = Math.floor(simulation_time / this.dt);
    const out: number[][] = [];
    for (let step = 0; step < steps; step++) out.push(this.step(input_pattern(step * this.dt)));
    return out;
  }
}

function dot(w: number[][], x: number[]): number[] {
  return w.map((row) => row.reduce((s, wij, j) => s + wij * x[j], 0));
}
