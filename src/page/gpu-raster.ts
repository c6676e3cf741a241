/**
 * The spike raster drawn on the GPU straight from the simulation's spike rings: no readback.
 *
 * Two passes on the simulation's own GPUDevice:
 * 1. `accumulate` (compute), after each batch of steps: for every (raster row, step) it counts the
 *    set bits of the row's neurons in the step's bitmask, read from the population's ring buffer
 *    (bound read-only), and stores the count in a history buffer of `columns` steps × rows. The
 *    history outlives the ring (which keeps only the last ringLength steps), so the raster can
 *    show a longer window than the ring holds.
 * 2. `draw` (render): a full-screen triangle whose fragment shader maps x to a step of the
 *    scrolling window and y to a row, and lights the pixel by the fraction of the row's neurons
 *    that spiked. 100,000 neurons on 400 rows is 250 neurons (8 words) per row and step.
 */
import { BAND_COLORS, bandBackground, type RasterLayout } from './raster-layout.js';
import type { RasterView } from './raster-view.js';

/** A population's spike ring, as GpuSimulation.spikeRing gives it: `offset` bytes into `buffer`. */
export interface SpikeRing {
  buffer: GPUBuffer;
  offset: number;
  words: number;
  ringLength: number;
}

/** The ring's range of its buffer, as a bind group resource (the ring may share an arena). */
export function ringBinding(ring: SpikeRing): GPUBufferBinding {
  return { buffer: ring.buffer, offset: ring.offset, size: ring.ringLength * ring.words * 4 };
}

const WORKGROUP = 64;

const ACCUMULATE_WGSL = /* wgsl */ `
struct Band {
  words: u32, ring_length: u32, first_row: u32, rows: u32,
  first_step: u32, steps: u32, columns: u32, total_rows: u32,
}
@group(0) @binding(0) var<uniform> band: Band;
@group(0) @binding(1) var<storage, read> ring: array<u32>;
@group(0) @binding(2) var<storage, read> row_info: array<vec4u>;
@group(0) @binding(3) var<storage, read_write> history: array<u32>;

@compute @workgroup_size(${WORKGROUP})
fn accumulate(@builtin(global_invocation_id) id: vec3u) {
  let r = id.x;
  let s = id.y;
  if (r >= band.rows || s >= band.steps) { return; }
  let row = band.first_row + r;
  let lo = row_info[row].x;
  let hi = row_info[row].y;
  let step = band.first_step + s;
  let base = (step % band.ring_length) * band.words;
  var count = 0u;
  for (var w = lo / 32u; w <= (hi - 1u) / 32u; w++) {
    if (base + w >= arrayLength(&ring)) { break; }
    var bits = ring[base + w];
    let first = w * 32u;
    if (lo > first) { bits &= ~0u << (lo - first); }
    if (hi < first + 32u) { bits &= (1u << (hi - first)) - 1u; }
    count += countOneBits(bits);
  }
  let cell = (step % band.columns) * band.total_rows + row;
  if (cell < arrayLength(&history)) { history[cell] = count; }
}
`;

const DRAW_WGSL = /* wgsl */ `
struct View {
  steps_done: u32, columns: u32, total_rows: u32, _pad: u32,
  size: vec2f, _pad2: vec2f,
  colors: array<vec4f, ${BAND_COLORS.length}>,
  backgrounds: array<vec4f, 2>,
}
@group(0) @binding(0) var<uniform> view: View;
@group(0) @binding(1) var<storage, read> history: array<u32>;
@group(0) @binding(2) var<storage, read> row_info: array<vec4u>;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let p = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(p * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let x = min(u32(pos.x / view.size.x * f32(view.columns)), view.columns - 1u);
  let row = min(u32(pos.y / view.size.y * f32(view.total_rows)), view.total_rows - 1u);
  let info = row_info[row];
  var color = view.backgrounds[info.z % 2u].rgb;
  // stepAtColumn in raster-layout.ts: grow from the left, then scroll.
  var step = x;
  if (view.steps_done > view.columns) { step = view.steps_done - view.columns + x; }
  if (step < view.steps_done) {
    let count = history[(step % view.columns) * view.total_rows + row];
    if (count > 0u) {
      let intensity = 0.35 + 0.65 * sqrt(f32(count) / f32(info.y - info.x));
      color = mix(color, view.colors[info.z % ${BAND_COLORS.length}u].rgb, intensity);
    }
  }
  return vec4f(color, 1.0);
}
`;

const BAND_UNIFORM_BYTES = 32;
const VIEW_UNIFORM_BYTES = 32 + 16 * BAND_COLORS.length + 32;

export class GpuRaster implements RasterView {
  private readonly context: GPUCanvasContext;
  private readonly history: GPUBuffer;
  private readonly rowInfo: GPUBuffer;
  private readonly viewUniform: GPUBuffer;
  private readonly bandUniforms: GPUBuffer[];
  private readonly accumulatePipeline: GPUComputePipeline;
  private readonly accumulateGroups: GPUBindGroup[];
  private readonly drawPipeline: GPURenderPipeline;
  private readonly drawGroup: GPUBindGroup;

  constructor(
    private readonly device: GPUDevice,
    readonly canvas: HTMLCanvasElement,
    private readonly layout: RasterLayout,
    private readonly rings: SpikeRing[],
    readonly columns: number,
  ) {
    if (rings.length !== layout.bands.length) throw new Error('raster: one spike ring per band');
    const context = canvas.getContext('webgpu');
    if (!context) throw new Error('raster: the canvas has no WebGPU context');
    this.context = context;
    const format = navigator.gpu.getPreferredCanvasFormat();
    context.configure({ device, format, alphaMode: 'opaque' });

    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.history = device.createBuffer({ label: 'raster.history', size: columns * layout.totalRows * 4, usage: storage });
    this.rowInfo = device.createBuffer({ label: 'raster.row_info', size: layout.rowInfo.byteLength, usage: storage });
    device.queue.writeBuffer(this.rowInfo, 0, layout.rowInfo as Uint32Array<ArrayBuffer>);
    const uniform = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
    this.viewUniform = device.createBuffer({ label: 'raster.view', size: VIEW_UNIFORM_BYTES, usage: uniform });
    this.bandUniforms = layout.bands.map((b) => device.createBuffer({ label: `raster.band.${b.population}`, size: BAND_UNIFORM_BYTES, usage: uniform }));

    this.accumulatePipeline = device.createComputePipeline({
      label: 'raster.accumulate',
      layout: 'auto',
      compute: { module: device.createShaderModule({ label: 'raster.accumulate', code: ACCUMULATE_WGSL }), entryPoint: 'accumulate' },
    });
    this.accumulateGroups = layout.bands.map((_, k) =>
      device.createBindGroup({
        layout: this.accumulatePipeline.getBindGroupLayout(0),
        entries: [{ buffer: this.bandUniforms[k] }, ringBinding(rings[k]), { buffer: this.rowInfo }, { buffer: this.history }].map((resource, binding) => ({ binding, resource })),
      }),
    );
    const drawModule = device.createShaderModule({ label: 'raster.draw', code: DRAW_WGSL });
    this.drawPipeline = device.createRenderPipeline({
      label: 'raster.draw',
      layout: 'auto',
      vertex: { module: drawModule, entryPoint: 'vs' },
      fragment: { module: drawModule, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.drawGroup = device.createBindGroup({
      layout: this.drawPipeline.getBindGroupLayout(0),
      entries: [this.viewUniform, this.history, this.rowInfo].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  accumulate(firstStep: number, steps: number): void {
    const end = firstStep + steps;
    // Only the last ringLength steps are still in the rings, and only the last `columns` show.
    const ringLength = Math.min(...this.rings.map((r) => r.ringLength));
    const from = Math.max(firstStep, end - ringLength, end - this.columns, 0);
    const count = end - from;
    if (count <= 0) return;
    const encoder = this.device.createCommandEncoder({ label: 'raster.accumulate' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.accumulatePipeline);
    this.layout.bands.forEach((band, k) => {
      const ring = this.rings[k];
      const words = [ring.words, ring.ringLength, band.firstRow, band.rows, from, count, this.columns, this.layout.totalRows];
      this.device.queue.writeBuffer(this.bandUniforms[k], 0, new Uint32Array(words));
      pass.setBindGroup(0, this.accumulateGroups[k]);
      pass.dispatchWorkgroups(Math.ceil(band.rows / WORKGROUP), count);
    });
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  draw(stepsDone: number): void {
    const data = new ArrayBuffer(VIEW_UNIFORM_BYTES);
    new Uint32Array(data, 0, 3).set([stepsDone, this.columns, this.layout.totalRows]);
    const floats = new Float32Array(data);
    floats.set([this.canvas.width, this.canvas.height], 4);
    BAND_COLORS.forEach((c, k) => floats.set([...c, 1], 8 + 4 * k));
    [0, 1].forEach((k) => floats.set([...bandBackground(k), 1], 8 + 4 * BAND_COLORS.length + 4 * k));
    this.device.queue.writeBuffer(this.viewUniform, 0, data);

    const encoder = this.device.createCommandEncoder({ label: 'raster.draw' });
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
    });
    pass.setPipeline(this.drawPipeline);
    pass.setBindGroup(0, this.drawGroup);
    pass.draw(3);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  dispose(): void {
    for (const b of [this.history, this.rowInfo, this.viewUniform, ...this.bandUniforms]) b.destroy();
    this.context.unconfigure();
  }
}
