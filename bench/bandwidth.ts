/**
 * The memory-bandwidth limit of the machine the benchmark runs on, measured in the same run, and
 * a traffic model of one simulated step, so a step's speed can be read as a fraction of that
 * limit.
 *
 * - GPU: a streaming copy kernel (dst[i] = src[i], vec4<f32>) over a buffer of up to 64 MiB,
 *   repeated in one command buffer; bytes = read + write.
 * - CPU: Float32Array.prototype.set (a memcpy) over the same size.
 *
 * The traffic model counts the bytes the kernels load and store per step (from the kernels'
 * code, not measured): it is a lower bound, as caches and atomics' read-modify-write cost more.
 */
import type { GpuContext } from '../src/webgpu/device.js';
import { BufferUsage } from '../src/webgpu/flags.js';
import { BYTES_PER_SYNAPTIC_EVENT, stepBaseTrafficBytes } from '../src/engine/work-tally.js';
import type { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';

export interface Bandwidth {
  gpuBytesPerS: number | null;
  cpuBytesPerS: number;
  bytes: number;
}

const COPY_WGSL = `
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = id.x + id.y * nwg.x * 256u;
  if (i < arrayLength(&src)) { dst[i] = src[i]; }
}`;

async function gpuCopyBandwidth(gpu: GpuContext, bytes: number, repeats: number): Promise<number> {
  const { device } = gpu;
  const usage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
  const src = device.createBuffer({ size: bytes, usage });
  const dst = device.createBuffer({ size: bytes, usage });
  try {
    const module = device.createShaderModule({ code: COPY_WGSL });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }] });
    const groups = Math.ceil(bytes / 16 / 256);
    const x = Math.min(groups, gpu.limits.maxComputeWorkgroupsPerDimension);
    const encode = (n: number) => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let r = 0; r < n; r++) pass.dispatchWorkgroups(x, Math.ceil(groups / x));
      pass.end();
      return enc.finish();
    };
    device.queue.submit([encode(1)]); // warm-up
    await device.queue.onSubmittedWorkDone();
    const t = performance.now();
    device.queue.submit([encode(repeats)]);
    await device.queue.onSubmittedWorkDone();
    return (2 * bytes * repeats) / ((performance.now() - t) / 1000);
  } finally {
    src.destroy();
    dst.destroy();
  }
}

function cpuCopyBandwidth(bytes: number, repeats: number): number {
  const src = new Float32Array(bytes / 4).fill(1);
  const dst = new Float32Array(bytes / 4);
  dst.set(src); // warm-up: pages touched
  const t = performance.now();
  for (let r = 0; r < repeats; r++) dst.set(r % 2 ? dst : src);
  return (2 * bytes * repeats) / ((performance.now() - t) / 1000);
}

/** Measures both limits; quick runs use a smaller buffer. */
export async function measureBandwidth(gpu: GpuContext | null, quick: boolean): Promise<Bandwidth> {
  const limit = gpu ? Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize) : Infinity;
  const bytes = Math.min(quick ? 16 * 2 ** 20 : 64 * 2 ** 20, Math.floor(limit / 1024) * 1024);
  const repeats = quick ? 4 : 10;
  return { gpuBytesPerS: gpu ? await gpuCopyBandwidth(gpu, bytes, repeats) : null, cpuBytesPerS: cpuCopyBandwidth(bytes, repeats), bytes };
}

/**
 * Bytes one step of the network moves, by the kernels' loads and stores: the energy module's
 * traffic model (src/engine/work-tally.ts: neuron state, receptor slots, bitmasks) plus, per
 * synaptic event, a column and a weight read and an atomic add.
 */
export function stepTrafficBytes(net: Network, eventsPerStep: number): number {
  return stepBaseTrafficBytes(lowerNetwork(net)) + eventsPerStep * BYTES_PER_SYNAPTIC_EVENT;
}
