/** The public `crossbar` namespace: the device library, and crossbar-backed projections of the engine. */
export * from '../crossbar/index.js';
export { buildCrossbarWeights, type CrossbarSynapseSpec, type CrossbarWeights } from '../model/crossbar-weights.js';
export { crossbarPropagate, CrossbarScratch } from '../ops/crossbar-synapses/cpu.js';
export { planCrossbar, type PlanCrossbar } from '../ops/crossbar-synapses/plan.js';
