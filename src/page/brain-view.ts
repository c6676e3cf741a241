/**
 * A 3D view of the populations lit by their spikes: each population a square grid of neurons on
 * its own horizontal plane, stacked bottom to top in network order, each neuron one instanced
 * quad. Brightness comes straight from the population's spike ring (the simulation's GPU buffer,
 * bound read-only): a small compute pass, one thread per bitmask word, finds each neuron's most
 * recent spike within the last `trail` steps and writes a glow per neuron (full for the latest
 * step, fading with age); the vertex shader reads it. Nothing is read back.
 */
import { ringBinding, type SpikeRing } from './gpu-raster.js';
import { OrbitCamera } from './orbit-camera.js';
import { BAND_COLORS } from './raster-layout.js';

const POPULATION_STRUCT = /* wgsl */ `
struct Population {
  view_proj: mat4x4f,
  color: vec4f,
  n: u32, words: u32, ring_length: u32, steps_done: u32,
  side: u32, trail: u32, plane_y: f32, _pad: u32,
}
@group(0) @binding(0) var<uniform> pop: Population;
`;

const GLOW_WORKGROUP = 64;

const GLOW_WGSL = /* wgsl */ `${POPULATION_STRUCT}
@group(0) @binding(1) var<storage, read> ring: array<u32>;
@group(0) @binding(2) var<storage, read_write> glow: array<f32>;

@compute @workgroup_size(${GLOW_WORKGROUP})
fn glow_from_ring(@builtin(global_invocation_id) id: vec3u) {
  let w = id.x;
  if (w >= pop.words) { return; }
  for (var b = 0u; b < 32u; b++) {
    if (w * 32u + b < pop.n && w * 32u + b < arrayLength(&glow)) { glow[w * 32u + b] = 0.0; }
  }
  let trail = min(min(pop.trail, pop.steps_done), pop.ring_length);
  var unseen = 0xffffffffu;
  for (var age = 0u; age < trail; age++) {
    let k = ((pop.steps_done - 1u - age) % pop.ring_length) * pop.words + w;
    if (k >= arrayLength(&ring)) { break; }
    var fresh = ring[k] & unseen;
    unseen &= ~fresh;
    while (fresh != 0u) {
      let i = w * 32u + firstTrailingBit(fresh);
      if (i < arrayLength(&glow)) { glow[i] = 1.0 - f32(age) / f32(pop.trail); }
      fresh &= fresh - 1u;
    }
    if (unseen == 0u) { break; }
  }
}
`;

const BRAIN_WGSL = /* wgsl */ `${POPULATION_STRUCT}
@group(0) @binding(1) var<storage, read> glow: array<f32>;

struct Out {
  @builtin(position) position: vec4f,
  @location(0) color: vec3f,
}

@vertex
fn vs(@builtin(vertex_index) v: u32, @builtin(instance_index) i: u32) -> Out {
  var corners = array<vec2f, 6>(vec2f(-1, -1), vec2f(1, -1), vec2f(1, 1), vec2f(-1, -1), vec2f(1, 1), vec2f(-1, 1));
  let side = f32(pop.side);
  let cell = vec2f(f32(i % pop.side), f32(i / pop.side));
  let centre = (cell + 0.5) / side - 0.5;
  let corner = centre + corners[v] * (0.45 / side);
  var brightness = 0.0;
  if (i < arrayLength(&glow)) { brightness = glow[i]; }
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
  private readonly glowPipeline: GPUComputePipeline;
  private readonly uniforms: GPUBuffer[];
  /** Per population: how brightly each neuron glows (0..1), written by the glow pass. */
  private readonly glows: GPUBuffer[];
  private readonly groups: GPUBindGroup[];
  private readonly glowGroups: GPUBindGroup[];
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
    this.glows = populations.map((p) => device.createBuffer({ label: `brain.${p.name}.glow`, size: Math.max(16, p.n * 4), usage: GPUBufferUsage.STORAGE }));
    this.groups = populations.map((_, k) =>
      device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms[k] } },
          { binding: 1, resource: { buffer: this.glows[k] } },
        ],
      }),
    );
    this.glowPipeline = device.createComputePipeline({
      label: 'brain.glow',
      layout: 'auto',
      compute: { module: device.createShaderModule({ label: 'brain.glow', code: GLOW_WGSL }), entryPoint: 'glow_from_ring' },
    });
    this.glowGroups = populations.map((p, k) =>
      device.createBindGroup({
        layout: this.glowPipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms[k] } },
          { binding: 1, resource: ringBinding(p.ring) },
          { binding: 2, resource: { buffer: this.glows[k] } },
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
    const glowPass = encoder.beginComputePass();
    glowPass.setPipeline(this.glowPipeline);
    this.populations.forEach((p, k) => {
      glowPass.setBindGroup(0, this.glowGroups[k]);
      glowPass.dispatchWorkgroups(Math.ceil(p.ring.words / GLOW_WORKGROUP));
    });
    glowPass.end();
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
    for (const b of [...this.uniforms, ...this.glows]) b.destroy();
    this.depth?.destroy();
    this.context.unconfigure();
  }
}
