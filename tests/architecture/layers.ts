/**
 * The layers of src/, lowest first. A folder may import only from folders of earlier layers
 * (tests/architecture.test.ts checks every import), so the tree reads as the architecture and
 * features depend on the core, never the reverse. The README's layout section is generated from
 * this list (UPDATE_DOCS=1 npx vitest run tests/architecture.test.ts).
 */
export interface Folder {
  /** Folder under src/ ('.' for the files at src/ itself). */
  path: string;
  purpose: string;
}

export interface Layer {
  name: string;
  folders: Folder[];
}

export const LAYERS: Layer[] = [
  { name: 'foundations', folders: [{ path: 'util', purpose: 'bit sets, the counter-based RNG, input validation (ModelError), CRC-32' }] },
  {
    name: 'runtimes and data',
    folders: [
      { path: 'webgpu', purpose: 'the GPU runtime: device, buffers, bind groups from declared layouts, readback, shader includes, pipeline cache' },
      { path: 'data', purpose: 'data loaders: the MNIST split and labelled data sets' },
      { path: 'events', purpose: 'event streams and camera file formats (EVT 2.0, AEDAT 4, N-MNIST)' },
      { path: 'plot', purpose: 'SVG figures, PNG in Node' },
    ],
  },
  { name: 'device library', folders: [{ path: 'crossbar', purpose: 'memristor devices and crossbar arrays, CPU and GPU engines, in-situ training' }] },
  { name: 'description', folders: [{ path: 'model', purpose: 'a network as plain data: populations, neuron models, connectivity, plasticity specs, recordings' }] },
  { name: 'plan', folders: [{ path: 'plan', purpose: 'the lowered network both backends execute, and the shape every operation shares' }] },
  { name: 'operations', folders: [{ path: 'ops', purpose: 'one folder per engine operation: plan part, CPU twin, GPU host (kernels in shaders/ops)' }] },
  {
    name: 'engine',
    folders: [{ path: 'engine', purpose: 'lowering through the operation registry, CPU and GPU backends, checkpoints, work counts, compile()' }],
  },
  {
    name: 'features',
    folders: [
      { path: 'io', purpose: 'network files and spike files' },
      { path: 'ann', purpose: 'ANN layers and training, ONNX import' },
      { path: 'energy', purpose: 'energy model, chip constants, mapping onto chips' },
      { path: 'coding', purpose: 'neural codes: rate, latency, population, rank order' },
      { path: 'lab', purpose: "the chapter's classes and code lab" },
      { path: 'dvs', purpose: 'DVS emulation, DVS source populations, direction detector' },
    ],
  },
  {
    name: 'features on features',
    folders: [
      { path: 'convert', purpose: 'ANN-to-SNN conversion, batched SNN simulators' },
      { path: 'networks', purpose: 'built-in networks and the examples registry' },
      { path: 'train', purpose: 'surrogate-gradient training through time: layers, BPTT on CPU and GPU backends, Fashion-MNIST recipes, export to the engine' },
    ],
  },
  {
    name: 'interoperability',
    folders: [{ path: 'interop', purpose: 'other formats and simulators: NIR in and out, SONATA, PyNN and Brian2 export, spike-train comparison' }],
  },
  { name: 'studies', folders: [{ path: 'studies', purpose: 'experiments over the library: MNIST studies, STDP protocols, reward tasks, code comparisons' }] },
  {
    name: 'applications',
    folders: [
      { path: 'cli', purpose: 'the neuromorph command: one file per command and a registry' },
      { path: 'page', purpose: 'the playground (GPU raster, 3D view, figures, event camera, learning)' },
      { path: 'namespaces', purpose: 'the public namespaces (crossbar, coding, energy, convert) with their studies' },
    ],
  },
  { name: 'public API', folders: [{ path: '.', purpose: 'index.ts (the public API) and kernel-catalog.ts (every WGSL file and its twin)' }] },
];
