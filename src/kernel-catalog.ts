/**
 * Every WGSL file of the project and the CPU code it must match. Engine kernels come from the
 * operations registered with the engine (src/engine/operations.ts); the kernels of the feature
 * libraries (crossbar arrays, codes, conversion, DVS, training) and the WGSL libraries that kernels include
 * are listed here. tests/architecture.test.ts fails when a .wgsl file is missing from this
 * catalog, when a twin does not exist, or when a parity test does not name the kernel, and the
 * README's kernel table is generated from it.
 */
import { ENGINE_OPERATIONS } from './engine/operations.js';
import type { KernelEntry, ShaderLibraryEntry } from './plan/operation.js';

export interface CatalogGroup {
  /** The operation or library that dispatches these kernels. */
  owner: string;
  kernels: KernelEntry[];
}

const FEATURE_KERNELS: CatalogGroup[] = [
  {
    owner: 'crossbar arrays (src/crossbar)',
    kernels: [
      {
        shader: 'crossbar/crossbar_mvm.wgsl',
        computes: 'tiled matrix-vector products batched over input vectors, with DAC/ADC, read noise and wire drops',
        twin: 'src/crossbar/cpu-crossbar.ts#mvmCpu',
        host: 'src/crossbar/gpu-crossbar.ts#GpuCrossbar',
        parity: ['tests/crossbar-gpu.test.ts'],
      },
      {
        shader: 'crossbar/crossbar_update.wgsl',
        computes: 'in-situ outer-product update by stochastic pulse coincidence, rounded to device levels',
        twin: 'src/crossbar/cpu-crossbar.ts#outerProductUpdateCpu',
        host: 'src/crossbar/gpu-crossbar.ts#GpuCrossbar',
        parity: ['tests/crossbar-gpu.test.ts', 'tests/crossbar-levels.test.ts'],
      },
    ],
  },
  {
    owner: 'neural codes (src/coding)',
    kernels: [
      {
        shader: 'coding/coding_thresholds.wgsl',
        computes: 'per-neuron spike thresholds of the rate and population encoders',
        twin: 'src/coding/encoder.ts#codingThresholds',
        host: 'src/coding/encoder.ts#encodeGpu',
        parity: ['tests/coding-gpu.test.ts'],
      },
      {
        shader: 'coding/coding_raster.wgsl',
        computes: 'the encoders’ spike raster, one thread per neuron and step word',
        twin: 'src/coding/encoder.ts#codingRaster',
        host: 'src/coding/encoder.ts#encodeGpu',
        parity: ['tests/coding-gpu.test.ts'],
      },
    ],
  },
  {
    owner: 'ANN-to-SNN conversion (src/convert)',
    kernels: [
      {
        shader: 'convert/snn_input.wgsl',
        computes: 'input coding of a batch of images for one step (constant current or Poisson)',
        twin: 'src/convert/snn-cpu.ts#runSnnCpu',
        host: 'src/convert/snn-gpu.ts#runSnnGpu',
        parity: ['tests/convert.test.ts'],
      },
      {
        shader: 'convert/snn_layer.wgsl',
        computes: 'event-driven integrate-and-fire layer (dense or convolutional) over a batch of images',
        twin: 'src/convert/snn-cpu.ts#runSnnCpu',
        host: 'src/convert/snn-gpu.ts#runSnnGpu',
        parity: ['tests/convert.test.ts'],
      },
      {
        shader: 'convert/snn_gate.wgsl',
        computes: 'max-pool spike gates: the pooled unit with the highest running rate passes its spike',
        twin: 'src/convert/snn-cpu.ts#runSnnCpu',
        host: 'src/convert/snn-gpu.ts#runSnnGpu',
        parity: ['tests/convert.test.ts'],
      },
    ],
  },
  {
    owner: 'event cameras (src/dvs)',
    kernels: [
      {
        shader: 'dvs/dvs_chapter.wgsl',
        computes: "the chapter's DVS function: ON/OFF/undecided bitmasks per frame pair (undecided pixels decided on the host in float64)",
        twin: 'src/dvs/chapter.ts#simulateDvsOutput',
        host: 'src/dvs/gpu-chapter.ts#simulateDvsOutputGpu',
        parity: ['tests/dvs-chapter.test.ts'],
      },
      {
        shader: 'dvs/dvs_emulator.wgsl',
        computes: 'the realistic DVS pixel, one thread per pixel per frame interval, events appended through one atomic counter and ordered on the host',
        twin: 'src/dvs/emulator.ts#pixelInterval',
        host: 'src/dvs/gpu-emulator.ts#GpuDvsEmulator',
        parity: ['tests/dvs-emulator-gpu.test.ts'],
      },
    ],
  },
  {
    owner: 'surrogate-gradient training (src/train)',
    kernels: [
      {
        shader: 'train/gpu/gemm.wgsl',
        computes: 'C = op(A) op(B) (+ C) in 16 x 16 tiles staged in workgroup memory, each element summed over k in order',
        twin: 'src/train/cpu/gemm.ts#gemmReference',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/bias_add.wgsl',
        computes: 'adds a per-channel bias to a dense or CNHW batch',
        twin: 'src/train/cpu/layout.ts#addBias',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/bias_grad.wgsl',
        computes: 'per-channel bias gradient, one thread per channel summing in the twin’s order',
        twin: 'src/train/cpu/layout.ts#biasGrad',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/permute021.wgsl',
        computes: 'the [a][b][c] to [b][a][c] transpose between CNHW and flat layouts',
        twin: 'src/train/cpu/layout.ts#permute021',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/im2col.wgsl',
        computes: 'unrolls convolution windows of a CNHW batch into GEMM columns (0 in the padding)',
        twin: 'src/train/cpu/conv.ts#im2col',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/col2im.wgsl',
        computes: 'the adjoint of im2col as a gather: each input element sums its taps in order, no atomics',
        twin: 'src/train/cpu/conv.ts#col2im',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/pool_forward.wgsl',
        computes: 'non-overlapping avg, sum or max pooling (first maximum’s index kept for the backward pass)',
        twin: 'src/train/cpu/pool.ts#poolForward',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/pool_backward.wgsl',
        computes: 'the pooling gradient, one thread per input element',
        twin: 'src/train/cpu/pool.ts#poolBackward',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/neuron_forward.wgsl',
        computes: 'LIF, CubaLIF, IF or LI over a range of steps, one thread per neuron carrying its state (Heaviside or sigmoid spikes)',
        twin: 'src/train/cpu/neuron.ts#neuronForward',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu-neuron.test.ts'],
      },
      {
        shader: 'train/gpu/neuron_backward.wgsl',
        computes: 'BPTT through a neuron layer over a range of steps with a surrogate spike derivative, one thread per neuron',
        twin: 'src/train/cpu/neuron.ts#neuronBackward',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu-neuron.test.ts'],
      },
      {
        shader: 'train/gpu/readout_forward.wgsl',
        computes: 'class scores from the last layer’s sequence (spike count, mean or max over time)',
        twin: 'src/train/cpu/loss.ts#readout',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/readout_backward.wgsl',
        computes: 'the readout’s gradient spread back over time',
        twin: 'src/train/cpu/loss.ts#readoutBackward',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/softmax_cross_entropy.wgsl',
        computes: 'per-sample softmax cross-entropy and its gradient (exp and log: within a stated tolerance)',
        twin: 'src/train/cpu/loss.ts#softmaxCrossEntropy',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/rate_mse.wgsl',
        computes: 'per-sample squared error of firing rates against on/off targets, and its gradient',
        twin: 'src/train/cpu/loss.ts#rateMse',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/activity_penalty.wgsl',
        computes: 'the firing-rate penalty of a spiking layer, its gradient added to the layer’s',
        twin: 'src/train/cpu/loss.ts#activityPenalty',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/adam.wgsl',
        computes: 'one AdamW step per parameter (sqrt and division: within a stated tolerance)',
        twin: 'src/train/cpu/optim.ts#adamStep',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/sgd.wgsl',
        computes: 'one SGD step with momentum and weight decay per parameter',
        twin: 'src/train/cpu/optim.ts#sgdStep',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
      {
        shader: 'train/gpu/fill.wgsl',
        computes: 'sets a range of a tensor to one value',
        twin: 'src/train/cpu/backend.ts#CpuTrainBackend.fill',
        host: 'src/train/gpu/gpu-backend.ts#GpuTrainBackend',
        parity: ['tests/train-ops-gpu.test.ts'],
      },
    ],
  },
];

/** WGSL files that kernels include rather than dispatch. */
export const SHADER_LIBRARIES: ShaderLibraryEntry[] = [
  { shader: 'util/common.wgsl', computes: 'the step record binding, 2D dispatch flattening, ring-slot arithmetic', twin: null },
  { shader: 'util/rng.wgsl', computes: 'the counter-based random numbers (PCG hash of seed, stream, index, step)', twin: 'src/util/rng.ts#randU32' },
  { shader: 'ops/neuron/neuron_step.wgsl', computes: 'one neuron’s update (LIF, Izhikevich, AdEx), shared by neuron_update and the fused path', twin: 'src/ops/neuron/cpu.ts#lifUpdate' },
  { shader: 'ops/poisson/poisson_bits.wgsl', computes: 'one 32-neuron word of Poisson spikes', twin: 'src/ops/poisson/cpu.ts#poissonSpikes' },
  { shader: 'ops/sparse/spike_list.wgsl', computes: 'compaction of a block’s spiking neurons into workgroup memory, in ascending order', twin: 'src/util/bits.ts#forEachSetBit' },
  { shader: 'ops/sparse/csr_scatter.wgsl', computes: 'a spiking row walked in interleaved slices (by many workgroups, or by lane groups on the fused path), fixed-point atomicAdd', twin: 'src/ops/sparse/cpu.ts#sparsePropagate' },
  { shader: 'ops/plasticity/stdp_common.wgsl', computes: 'the plasticity constants record, spike-bit test and trace step', twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.step' },
  { shader: 'crossbar/crossbar_noise.wgsl', computes: 'device noise: the Irwin-Hall gaussian and 24-bit uniforms', twin: 'src/crossbar/noise.ts#gaussian' },
  { shader: 'coding/coding_params.wgsl', computes: 'the encoders’ parameter record', twin: null },
  { shader: 'train/gpu/train_common.wgsl', computes: 'the training kernels’ workgroup size and 2D-grid thread index', twin: null },
  { shader: 'train/gpu/op_records.wgsl', computes: 'the parameter records shared by the training ops’ forward and backward kernels', twin: null },
  { shader: 'train/gpu/neuron_common.wgsl', computes: 'a neuron layer’s constants, the smooth spike and the surrogate derivatives', twin: 'src/train/cpu/surrogate.ts#surrogateGradWith' },
];

/** Every dispatched kernel, grouped by the operation or library that owns it. */
export function kernelCatalog(): CatalogGroup[] {
  return [...ENGINE_OPERATIONS.filter((op) => op.kernels.length > 0).map((op) => ({ owner: `${op.name} (${op.summary})`, kernels: op.kernels })), ...FEATURE_KERNELS];
}
