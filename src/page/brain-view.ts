/**
 * A 3D view of the populations lit by their spikes: each population a square grid of neurons on
 * its own horizontal plane, stacked bottom to top in network order. Each neuron is one instanced
 * quad whose brightness the vertex shader reads from the population's spike ring (the
 * simulation's GPU buffer, bound read-only): full for a spike in the latest step, fading over the
 * last `trail` steps. Nothing is read back.
 */
import { ringBinding, type SpikeRing } from './gpu-raster.js';
import { OrbitCamera } from './orbit-camera.js';
import { BAND_COLORS } from './raster-layout.js';

const BRAIN_WGSL = /* wgsl */ `
struct Population {
  view_proj: mat4x4f,
  color: vec4f,
  n: u32, words: u32, ring_length: u32, steps_done: u32,
  side: u32, trail: u32, plane_y: f32, _pad: u32,
}
@group(0) @binding(0) var<uniform> pop: Population;
@group(0) @binding(1) var<storage, read> ring: array<u32>;

struct Out {
  @builtin(position) position: vec4f,
  @location(0) color: vec3f,
}

fn spiked(step: u32, neuron: u32) -> bool {
  let k = (step % pop.ring_length) * pop.words + neuron / 32u;
  if (k >= arrayLength(&ring)) { return false; }
  return ((ring[k] >> (neuron % 32u)) & 1u) == 1u;
}

@vertex
fn vs(@builtin(vertex_index) v: u32, @builtin(instance_index) i: u32) -> Out {
  var corners = array<vec2f, 6>(vec2f(-1, -1), vec2f(1, -1), vec2f(1, 1), vec2f(-1, -1), vec2f(1, 1), vec2f(-1, 1));
  let side = f32(pop.side);
  let cell = vec2f(f32(i % pop.side), f32(i / pop.side));
  let centre = (cell + 0.5) / side - 0.5;
  let corner = centre + corners[v] * (0.45 / side);
  var brightness = 0.0;
  let trail = min(min(pop.trail, pop.steps_done), pop.ring_length);
  for (var age = 0u; age < trail; age++) {
    if (spiked(pop.steps_done - 1u - age, i)) {
      brightness = 1.0 - f32(age) / f32(pop.trail);
      break;
    }
  }
  var out: Out;
  out.position = pop.view_proj * vec4f(corner.x, pop.plane_y, corner.y, 1.0);
  out.color = pop.color.rgb * (0.22 + 0.78 * brightness);
  return out;
}

@fragment
fn fs(in: Out) -> @location(0) vec4f {
  return vec4f(in.color, 1.0);
}
`;

const UNIFORM_BYTES = 112;
const PLANE_SPACING = 0.6;

export class BrainView {
  readonly camera: OrbitCamera;
  private readonly context: GPUCanvasContext;
  private readonly format: GPUTextureFormat;
  private readonly pipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer[];
  private readonly groups: GPUBindGroup[];
  private depth?: GPUTexture;
  private stepsDone = 0;

  constructor(
    private readonly device: GPUDevice,
    readonly canvas: HTMLCanvasElement,
    private readonly populations: { name: string; n: number; ring: SpikeRing }[],
    /** Steps a spike keeps glowing (fading). */
    private readonly trail: number,
  ) {
    const context = canvas.getContext('webgpu');
    if (!context) throw new Error('3D view: the canvas has no WebGPU context');
    this.context = context;
    this.format = navigator.gpu.getPreferredCanvasFormat();
    context.configure({ device, format: this.format, alphaMode: 'opaque' });
    const module = device.createShaderModule({ label: 'brain', code: BRAIN_WGSL });
    this.pipeline = device.createRenderPipeline({
      label: 'brain',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format: this.format }] },
      primitive: { topology: 'triangle-list' },
      depthStencil: { format: 'depth24plus', depthWriteEnabled: true, depthCompare: 'less' },
    });
    this.uniforms = populations.map((p) =>
      device.createBuffer({ label: `brain.${p.name}`, size: UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
    );
    this.groups = populations.map((p, k) =>
      device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms[k] } },
          { binding: 1, resource: ringBinding(p.ring) },
        ],
      }),
    );
    this.camera = new OrbitCamera(canvas, () => this.draw(this.stepsDone));
  }

  draw(stepsDone: number): void {
    this.stepsDone = stepsDone;
    const { width, height } = this.canvas;
    if (!this.depth || this.depth.width !== width || this.depth.height !== height) {
      this.depth?.destroy();
      this.depth = this.device.createTexture({ size: [width, height], format: 'depth24plus', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    }
    const viewProjection = this.camera.matrix(width / height);
    const count = this.populations.length;
    this.populations.forEach((p, k) => {
      const data = new ArrayBuffer(UNIFORM_BYTES);
      const f = new Float32Array(data);
      const u = new Uint32Array(data);
      f.set(viewProjection, 0);
      f.set([...BAND_COLORS[k % BAND_COLORS.length], 1], 16);
      u.set([p.n, p.ring.words, p.ring.ringLength, stepsDone, Math.ceil(Math.sqrt(p.n)), this.trail], 20);
      f[26] = (k - (count - 1) / 2) * PLANE_SPACING;
      this.device.queue.writeBuffer(this.uniforms[k], 0, data);
    });
    const encoder = this.device.createCommandEncoder({ label: 'brain' });
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0.03, g: 0.04, b: 0.06, a: 1 } }],
      depthStencilAttachment: { view: this.depth.createView(), depthLoadOp: 'clear', depthStoreOp: 'store', depthClearValue: 1 },
    });
    pass.setPipeline(this.pipeline);
    this.populations.forEach((p, k) => {
      pass.setBindGroup(0, this.groups[k]);
      pass.draw(6, p.n);
    });
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  dispose(): void {
    for (const b of this.uniforms) b.destroy();
    this.depth?.destroy();
    this.context.unconfigure();
  }
}
