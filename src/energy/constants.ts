/**
 * Per-operation energies from the published literature, in two families that are never summed
 * together (mixing them shifts conclusions by about 100x):
 *
 * - `arithmetic`: the energy of the arithmetic (and, listed separately, the memory accesses) the
 *   counted work implies, at one process node: Horowitz, "Computing's energy problem (and what we
 *   can do about it)", ISSCC 2014, Fig. 1.1.9 (45 nm, 0.9 V); the per-32-bit SRAM and DRAM reads
 *   from Han et al., EIE, ISCA 2016, Table I (derived there from Horowitz). What a chip's datapath
 *   alone would spend; no control, no idle power, no off-chip I/O.
 * - `system`: measured (or, for the crossbar, modelled with its converters) energy per operation of
 *   a whole chip or system, with everything the measurement included: Davies et al. 2018 (Loihi),
 *   Merolla et al. 2014 (TrueNorth), Stromatias et al. 2013 (SpiNNaker), Höppner et al. 2019
 *   (SpiNNaker 2), Degnan et al. 2015 (CPU and GPU per MAC).
 *
 * `verified` says whether the value was checked against the paper (or a reliable quotation of its
 * table) while writing this module; where it was not, `note` says so and why the value is used.
 * docs/energy.md lists the same table.
 */

import { ModelError } from '../util/validate.js';

export type EnergyFamily = 'arithmetic' | 'system';

/** Platforms with system-family constants. */
export const PLATFORMS = ['gpu', 'cpu', 'loihi', 'truenorth', 'spinnaker1', 'spinnaker2', 'crossbar'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** What one unit of a constant is: the WorkCounts field (or arithmetic primitive) it prices. */
export type Operation =
  | 'f32Mult'
  | 'f32Add'
  | 'int32Add'
  | 'int8Mult'
  | 'int8Add'
  | 'sram32Read'
  | 'dram32Read'
  | 'mac'
  | 'synapticOp'
  | 'neuronUpdate'
  | 'spike'
  | 'crossbarRead';

export interface EnergyConstant {
  id: string;
  family: EnergyFamily;
  /** 'any' for the arithmetic family (one process node, not a product). */
  platform: Platform | 'any';
  operation: Operation;
  /** Joules per operation. */
  joules: number;
  /** Paper (authors, title, venue, year). */
  source: string;
  /** Where in the paper: table, figure, section. */
  locator: string;
  verified: boolean;
  note: string;
}

const HOROWITZ = 'M. Horowitz, "Computing\'s energy problem (and what we can do about it)", IEEE ISSCC 2014, pp. 10-14';
const HAN_EIE = 'S. Han, X. Liu, H. Mao, J. Pu, A. Pedram, M. A. Horowitz, W. J. Dally, "EIE: Efficient Inference Engine on Compressed Deep Neural Network", ISCA 2016';
const DAVIES = 'M. Davies et al., "Loihi: A Neuromorphic Manycore Processor with On-Chip Learning", IEEE Micro 38(1), 2018';
const MEROLLA = 'P. A. Merolla et al., "A million spiking-neuron integrated circuit with a scalable communication network and interface", Science 345(6197), 2014';
const DEGNAN = 'B. Degnan, B. Marr, J. Hasler, "Assessing Trends in Performance per Watt for Signal Processing Applications", IEEE Trans. VLSI Systems 24(1), 2016 (online 2015)';
const STROMATIAS = 'E. Stromatias, F. Galluppi, C. Patterson, S. Furber, "Power analysis of large-scale, real-time neural networks on SpiNNaker", IJCNN 2013';
const HOPPNER = 'S. Höppner et al., "Dynamic Power Management for Neuromorphic Many-Core Systems", IEEE Trans. Circuits and Systems I 66(8), 2019 (arXiv:1903.08941)';

export const ENERGY_CONSTANTS: readonly EnergyConstant[] = Object.freeze([
  // --- arithmetic family: Horowitz 2014, 45 nm, 0.9 V -------------------------------------------
  { id: 'horowitz.f32_mult', family: 'arithmetic', platform: 'any', operation: 'f32Mult', joules: 3.7e-12, source: HOROWITZ, locator: 'Fig. 1.1.9 (energy per operation, 45 nm): 32-bit FP multiply 3.7 pJ', verified: true, note: 'widely quoted; with the 0.9 pJ add, 4.6 pJ per f32 MAC' },
  { id: 'horowitz.f32_add', family: 'arithmetic', platform: 'any', operation: 'f32Add', joules: 0.9e-12, source: HOROWITZ, locator: 'Fig. 1.1.9: 32-bit FP add 0.9 pJ', verified: true, note: 'an SNN synaptic op on binary spikes is one accumulate (add)' },
  { id: 'horowitz.i32_add', family: 'arithmetic', platform: 'any', operation: 'int32Add', joules: 0.1e-12, source: HOROWITZ, locator: 'Fig. 1.1.9: 32-bit integer add 0.1 pJ', verified: true, note: '' },
  { id: 'horowitz.i8_mult', family: 'arithmetic', platform: 'any', operation: 'int8Mult', joules: 0.2e-12, source: HOROWITZ, locator: 'Fig. 1.1.9: 8-bit integer multiply 0.2 pJ', verified: true, note: '' },
  { id: 'horowitz.i8_add', family: 'arithmetic', platform: 'any', operation: 'int8Add', joules: 0.03e-12, source: HOROWITZ, locator: 'Fig. 1.1.9: 8-bit integer add 0.03 pJ', verified: true, note: '' },
  // Memory: the per-32-bit values are EIE's Table I, which derives them from Horowitz's 45 nm figure.
  { id: 'han.sram32_read', family: 'arithmetic', platform: 'any', operation: 'sram32Read', joules: 5e-12, source: HAN_EIE, locator: 'Table I (energy table, 45 nm CMOS): 32-bit SRAM cache access 5 pJ; derived there from Horowitz, ISSCC 2014, Fig. 1.1.9', verified: true, note: 'EIE\'s per-32-bit figure, whose origin is Horowitz 2014 (not a value read off Horowitz\'s figure here). Memory is reported beside the arithmetic, never inside its total' },
  { id: 'han.dram32_read', family: 'arithmetic', platform: 'any', operation: 'dram32Read', joules: 640e-12, source: HAN_EIE, locator: 'Table I (energy table, 45 nm CMOS): 32-bit DRAM access 640 pJ; derived there from Horowitz, ISSCC 2014, Fig. 1.1.9', verified: true, note: 'EIE\'s per-32-bit figure, whose origin is Horowitz 2014 (not a value read off Horowitz\'s figure here). Memory is reported beside the arithmetic, never inside its total' },

  // --- system family -----------------------------------------------------------------------------
  { id: 'degnan.gpu_mac', family: 'system', platform: 'gpu', operation: 'mac', joules: 1 / 30e9, source: DEGNAN, locator: 'abstract and the GMAC/W trend figure: the most efficient processors (GPUs) reach the "Powerwall" band of 10-30 GMAC/W', verified: false, note: 'the 10-30 GMAC/W band is from the abstract; taking a GPU at its top (30 GMAC/W = 33 pJ/MAC) is our reading, not a single tabulated value. An SNN synaptic op or neuron update on a GPU is costed as one MAC (an assumption)' },
  { id: 'degnan.cpu_mac', family: 'system', platform: 'cpu', operation: 'mac', joules: 1 / 1e9, source: DEGNAN, locator: 'GMAC/W trend figure: general-purpose CPUs lie about an order of magnitude below the Powerwall band', verified: false, note: 'not verified against the figure: 1 GMAC/W (1 nJ/MAC) is an order-of-magnitude reading. An SNN synaptic op or neuron update on a CPU is costed as one MAC (an assumption)' },
  { id: 'davies.loihi_synop', family: 'system', platform: 'loihi', operation: 'synapticOp', joules: 23.6e-12, source: DAVIES, locator: 'Table 2 (energy and time per operation, 0.75 V): synaptic spike operation energy, minimum, 23.6 pJ', verified: false, note: 'the paper text could not be retrieved here; 23.6 pJ is how the table is quoted throughout the literature (one secondary source doubts it is in the paper). The table number follows a Nengo forum thread that places the per-operation energies in Table 2. Minimum energy: real workloads cost more' },
  { id: 'davies.loihi_neuron_update', family: 'system', platform: 'loihi', operation: 'neuronUpdate', joules: 52e-12, source: DAVIES, locator: 'Table 2: neuron update energy, 81 pJ active / 52 pJ inactive', verified: false, note: 'a lower bound: the inactive (no input) value is used for every update, an active one costs 81 pJ. From memory of the table' },
  { id: 'davies.loihi_spike', family: 'system', platform: 'loihi', operation: 'spike', joules: 1.7e-12, source: DAVIES, locator: 'Table 2: within-tile spike energy 1.7 pJ (each tile hop adds 3.0 pJ E-W / 4.0 pJ N-S)', verified: false, note: 'from memory of the table. The brief that asked for this module quoted "1.7 / 3.5 pJ": 3.5 matches no energy row we recall (3.5 ns is the minimum synaptic op time), so hops are left out (a lower bound)' },
  { id: 'merolla.truenorth_synop', family: 'system', platform: 'truenorth', operation: 'synapticOp', joules: 26e-12, source: MEROLLA, locator: 'main text and Fig. 4 (energy efficiency): 26 pJ per synaptic event, total chip energy at 0.775 V', verified: false, note: '26 pJ per synaptic event is the figure quoted from the paper (46 GSOPS/W at 20 Hz, 128 synapses active per spike, i.e. about 22 pJ, is its typical-network figure). Includes neuron updates and routing at that activity, so TrueNorth has no separate neuron-update constant. Not verified: the paper\'s energy figures could not be retrieved here (a secondary source quotes up to 400 GSOPS/W, i.e. 2.5 pJ, at its most efficient operating point)' },
  { id: 'stromatias.spinnaker1_synop', family: 'system', platform: 'spinnaker1', operation: 'synapticOp', joules: 8e-9, source: STROMATIAS, locator: 'power model, Sec. IV (energy per synaptic event E_syn)', verified: false, note: 'not verified: 8 nJ per synaptic event is the incremental energy of the paper\'s power model as we recall it; a secondary summary quotes 43-110 nJ per synaptic event for whole-board energy including idle power' },
  { id: 'stromatias.spinnaker1_neuron_update', family: 'system', platform: 'spinnaker1', operation: 'neuronUpdate', joules: 26e-9, source: STROMATIAS, locator: 'power model, Sec. IV (energy per neuron update per 1 ms step, E_neuron)', verified: false, note: 'not verified: 26 nJ per neuron per 1 ms update is recalled from the power model, not checked against the paper' },
  { id: 'hoppner.spinnaker2_synop', family: 'system', platform: 'spinnaker2', operation: 'synapticOp', joules: 10e-12, source: HOPPNER, locator: 'measured benchmark energies per synaptic event (28 nm test chip with DVFS)', verified: false, note: 'not verified: about 10 pJ per synaptic event is the value secondary sources attribute to the SpiNNaker 2 prototypes; the paper\'s table could not be retrieved here. Neuron updates on SpiNNaker 2 are not modelled' },
] satisfies EnergyConstant[]);

/**
 * The crossbar's system-family energy per read is not a fixed constant: src/crossbar/energy.ts
 * computes it from the device, converters and inputs (readEnergy), and the caller passes it in.
 */
export const CROSSBAR_READ_SOURCE = {
  source: 'src/crossbar/energy.ts readEnergy: array V^2 G t_read, row wires C V^2, DAC and ADC by the Walden figure of merit (Walden, IEEE JSAC 1999; values from Murmann\'s ADC survey)',
  locator: 'per MVM of one input vector, for the array and inputs at hand; modelled, not measured',
} as const;

export function energyConstant(id: string): EnergyConstant {
  const c = ENERGY_CONSTANTS.find((k) => k.id === id);
  if (!c) throw new ModelError('id', `no energy constant ${JSON.stringify(id)}; known: ${ENERGY_CONSTANTS.map((k) => k.id).join(', ')}`);
  return c;
}
