/**
 * Embedding Neuromorph in an application that already has WebGPU work of its own.
 *
 * 1. The host creates its own GPUDevice and passes it in: acquireGpu({ device }) wraps it without
 *    taking ownership, so sim.dispose() frees the simulation's buffers and leaves the device alone.
 * 2. It runs steps with sim.run().
 * 3. It draws from the simulator's GPU buffers with its own render pipeline: spikeRing() gives the
 *    spike ring of a population (slot t % ringLength holds step t's bitmask, one bit per neuron),
 *    which the host binds read-only in its fragment shader. No readback.
 *
 * In an application, import these from 'neuromorph'; here they come from the sources.
 */
import { acquireGpu } from '../../src/webgpu/device.js';
import { GpuSimulation } from '../../src/engine/gpu/gpu-simulation.js';
import { vogelsAbbott } from '../../src/networks/vogels-abbott.js';
import { compile } from '../../src/engine/compile.js';

/** The host's shader: x is the step (the last ringLength steps), y the neuron (one pixel row each here: 400 excitatory neurons); a spike is a lit pixel. */
const SHADER = /* wgsl */ `
struct View { steps_done: u32, ring_length: u32, words: u32, n: u32, size: vec2f }
@group(0) @binding(0) var<uniform> view: View;
@group(0) @binding(1) var<storage, read> ring: array<u32>;

@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let p = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(p * 2.0 - 1.0, 0.0, 1.0);
}

@fragment fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let shown = min(view.steps_done, view.ring_length);
  let column = u32(pos.x / view.size.x * f32(view.ring_length));
  if (column >= shown) { return vec4f(0.0, 0.0, 0.0, 1.0); }
  let step = view.steps_done - shown + column;
  let neuron = u32(pos.y / view.size.y * f32(view.n));
  let word = ring[(step % view.ring_length) * view.words + neuron / 32u];
  let spiked = f32((word >> (neuron % 32u)) & 1u);
  return vec4f(spiked * vec3f(0.4, 1.0, 0.6), 1.0);
}
`;

declare global {
  interface Window {
    __embed?: { steps: number; spikes: number; error?: string };
  }
}

async function main(): Promise<{ steps: number; spikes: number }> {
  // The host's device: whatever the application asked for.
  if (!navigator.gpu) throw new Error('this browser has no WebGPU');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const device = await adapter.requestDevice();

  // Neuromorph runs on it.
  const gpu = await acquireGpu({ device, adapterName: 'the host application\'s device' });
  const sim = await compile(vogelsAbbott({ model: 'cuba', n: 500 }), { backend: 'gpu', gpu });
  if (!(sim instanceof GpuSimulation)) throw new Error('expected the GPU backend');
  const ring = sim.spikeRing('exc');

  // The host's own render pipeline, bound to the simulator's spike ring.
  const canvas = document.getElementById('view') as HTMLCanvasElement;
  const context = canvas.getContext('webgpu')!;
  const format = navigator.gpu.getPreferredCanvasFormat();
  context.configure({ device, format, alphaMode: 'opaque' });
  const module = device.createShaderModule({ code: SHADER });
  const pipeline = device.createRenderPipeline({
    layout: 'auto',
    vertex: { module, entryPoint: 'vs' },
    fragment: { module, entryPoint: 'fs', targets: [{ format }] },
  });
  const uniform = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: uniform } },
      { binding: 1, resource: { buffer: ring.buffer, offset: ring.offset, size: ring.ringLength * ring.words * 4 } },
    ],
  });
  const n = sim.plan.byId.find((p) => p.name === 'exc')!.n;

  const draw = () => {
    const data = new ArrayBuffer(32);
    new Uint32Array(data, 0, 4).set([sim.stepsDone, ring.ringLength, ring.words, n]);
    new Float32Array(data, 16, 2).set([canvas.width, canvas.height]);
    device.queue.writeBuffer(uniform, 0, data);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginRenderPass({ colorAttachments: [{ view: context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store' }] });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
    device.queue.submit([encoder.finish()]);
  };

  // Run a few frames: each advances the network by 10 ms (100 steps, within the ring) and draws.
  for (let frame = 0; frame < 5; frame++) {
    await sim.run(100);
    draw();
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  const result = { steps: sim.stepsDone, spikes: sim.spikes('exc').total() };
  sim.dispose();
  // The device is still the host's: it keeps working after the simulation is gone.
  device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM });
  return result;
}

const status = document.getElementById('status')!;
main().then(
  (r) => {
    window.__embed = r;
    status.dataset.state = 'done';
    status.textContent = `drew ${r.steps} steps (${r.spikes} spikes of the excitatory population) from the GPU spike ring`;
  },
  (e: Error) => {
    window.__embed = { steps: 0, spikes: 0, error: e.message };
    status.dataset.state = 'error';
    status.textContent = `error: ${e.message}`;
  },
);
