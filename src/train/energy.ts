/**
 * Synaptic operations and energy per inference of a trained spiking network, against its ANN
 * twin on a GPU (the "synaptic operations and energy per inference against the ANN on a
 * GPU"). Each sample's engine network (export.ts trainedExporter, its synapses composed once for
 * all samples) runs for the model's T steps on the engine's CPU backend; its workCounts()
 * (src/engine/work-counts.ts: neuron updates, spikes, synaptic events as spikes x fan-out) are
 * averaged over the samples and priced by src/energy/ on the chips `neuromorph convert` reports
 * (src/studies/conversion-energy.ts), in both families (arithmetic-only and whole-system, never summed).
 *
 * What the engine counts is adjusted where the export is a device, not the network's work:
 *  - The first layer (direct encoding). The linear layers before the first neuron layer run once
 *    per sample on the image (the input is time-invariant), and the engine network receives their
 *    result as constant currents, so the engine counts no work for them. Their multiply-accumulates
 *    are added here explicitly, once per inference (not T times). No neuromorphic chip prices a MAC,
 *    so in the system family they are priced on a GPU host and shown beside each chip's own energy.
 *  - The cuba-lif drive source (export.ts) fires every step to carry constant input into the
 *    synaptic current; a LIF layer gets the same input as a free constant current, so the drive's
 *    T spikes and its T x n_post synaptic events per inference are taken out.
 *  - IF layers run in the engine as a LIF without leak and are counted as neuronUpdates; an IF
 *    update is one add, which the energy model counts as integrateFireUpdates, so they move there.
 *
 * The ANN twin is the same architecture with ReLU in place of every neuron layer: every dense and
 * convolution layer once per inference at full resolution (no time steps), counted by
 * src/energy/ann-counts.ts (pooling, biases and activations left out, as there).
 *
 * The engine's spikes per layer are checked against the training forward pass (model.forward on a
 * batch of one on the model's own backend): both are returned, and `spikesMatch` says whether every
 * spiking layer fired the same number of spikes for every sample.
 */
import { compile } from '../engine/compile.js';
import { addCounts, type WorkCounts, zeroCounts } from '../engine/work-counts.js';
import type { Network } from '../model/network.js';
import { annWorkCounts, type AnnLayer } from '../energy/ann-counts.js';
import type { Platform } from '../energy/constants.js';
import { arithmeticEnergy, checkCounts, systemEnergy } from '../energy/model.js';
import { ModelError, requireInt } from '../util/validate.js';
import type { NeuronModel } from './backend.js';
import { type ExportedPopulation, trainedExporter } from './export.js';
import type { ResolvedLayer } from './layers.js';
import type { SpikingModel } from './model.js';

/** The SNN's chips in `neuromorph convert`'s energy table (src/studies/conversion-energy.ts). */
export const SNN_CHIPS = ['loihi', 'truenorth', 'spinnaker1', 'spinnaker2'] as const satisfies readonly Platform[];
/** The ANN's platforms in the same table. */
export const ANN_PLATFORMS = ['gpu', 'cpu'] as const satisfies readonly Platform[];
/** Where the first layer's MACs are priced in the system family (no chip prices a MAC). */
export const FIRST_LAYER_HOST: Platform = 'gpu';

export interface TrainedEnergyOptions {
  /** 'auto' (default) or 'dense': the export's connectivity (export.ts); it changes synaptic events of convolution chains. */
  connectivity?: 'auto' | 'dense';
  /** Called after each sample (progress). */
  onSample?: (done: number, total: number) => void;
}

export interface LayerSpikes {
  /** The model layer (index into model.layers) and its engine population. */
  layer: number;
  population: string;
  model: NeuronModel;
  neurons: number;
  /** Mean spikes per inference: the engine's, and the training forward pass's (0 for an li readout). */
  engine: number;
  training: number;
}

export interface ChipEnergy {
  platform: Platform;
  /** The spiking network's energy on the chip (system family), and its counts the chip has no price for. */
  chipJ: number;
  unpriced: (keyof WorkCounts)[];
  /** The first layer's MACs on the GPU host (system family); 0 when the first layer has no weights. */
  firstLayerJ: number;
  /** chipJ + firstLayerJ: a chip with a GPU host computing the first layer. */
  totalJ: number;
}

export interface PlatformEnergy {
  platform: Platform;
  joules: number;
  unpriced: (keyof WorkCounts)[];
}

export interface ArithmeticSummary {
  /** Horowitz 45 nm, the arithmetic alone; memory traffic at SRAM energies beside it, never in it. */
  joules: number;
  sramJ: number;
  unpriced: (keyof WorkCounts)[];
}

export interface TrainedEnergy {
  samples: number;
  steps: number;
  connectivity: 'auto' | 'dense';
  /** Per-inference means. */
  snn: {
    /** Everything the SNN does per inference: the engine's counts (adjusted as the module note says) plus the first layer's MACs. */
    counts: WorkCounts;
    synapticOps: number;
    neuronUpdates: number;
    integrateFireUpdates: number;
    spikes: number;
    /** MACs of the linear layers before the first neuron layer, once per inference. */
    firstLayerMacs: number;
    layers: LayerSpikes[];
    arithmetic: ArithmeticSummary;
    chips: ChipEnergy[];
  };
  ann: {
    layers: AnnLayer[];
    macs: number;
    counts: WorkCounts;
    arithmetic: ArithmeticSummary;
    platforms: PlatformEnergy[];
  };
  /** Engine spikes equal the training forward pass's, per layer and sample. */
  spikesMatch: boolean;
  /** The first few disagreements (sample, layer, both counts). */
  mismatches: string[];
  seconds: number;
}

/** The ANN layers (dense and convolution, in order) of model.layers[0 .. end). */
export function annLayersOf(layers: ResolvedLayer[], end = layers.length): AnnLayer[] {
  const out: AnnLayer[] = [];
  for (const l of layers.slice(0, end)) {
    if (l.kind === 'dense') out.push({ kind: 'dense', inputs: l.inputs, outputs: l.units });
    else if (l.kind === 'conv2d') {
      out.push({ kind: 'conv', inChannels: l.input.channels, outChannels: l.output.channels, kernelH: l.kernel, kernelW: l.kernel, outH: l.output.height, outW: l.output.width, stride: l.stride, pad: l.padding, inH: l.input.height, inW: l.input.width });
    }
  }
  return out;
}

const arithmeticSummary = (c: WorkCounts): ArithmeticSummary => {
  const a = arithmeticEnergy(c);
  return { joules: a.joules, sramJ: a.memory!.sramJ, unpriced: a.unpriced };
};

/**
 * Runs each of the n samples (samples: n x model.inputFeatures) through the engine network of
 * `model` with `params`, and returns the per-inference work and energy (see the module note).
 */
export async function trainedEnergy(model: SpikingModel, params: Map<string, Float32Array>, samples: Float32Array, n: number, options: TrainedEnergyOptions = {}): Promise<TrainedEnergy> {
  const started = performance.now();
  requireInt('n', n, 1);
  const F = model.inputFeatures;
  if (!(samples instanceof Float32Array) || samples.length < n * F) throw new ModelError('samples', `must be a Float32Array of at least ${n} x ${F} values, got ${samples instanceof Float32Array ? samples.length : typeof samples}`);
  const connectivity = options.connectivity ?? 'auto';
  const layers = model.resolved.layers;
  const T = model.steps;
  const firstNeuron = layers.findIndex((l) => l.kind === 'neuron');
  const firstLayerAnn = annLayersOf(layers, firstNeuron);
  const firstLayer = firstLayerAnn.length > 0 ? annWorkCounts(firstLayerAnn) : zeroCounts();

  let total = zeroCounts();
  let spikeLayers: LayerSpikes[] = [];
  const mismatches: string[] = [];
  let mismatchCount = 0;
  const exporter = trainedExporter(model, params, { connectivity });
  for (let k = 0; k < n; k++) {
    const sample = samples.subarray(k * F, (k + 1) * F);
    const exported = exporter.network(sample);
    const sim = await compile(exported.network, { backend: 'cpu' });
    let counts = zeroCounts();
    const engine: number[] = [];
    try {
      await sim.run(T);
      counts = sim.workCounts();
      for (const p of exported.populations) engine.push(p.model === 'li' ? 0 : sim.spikes(p.population).total());
    } finally {
      sim.dispose();
    }
    counts = withoutExportDevices(counts, exported.network, exported.populations, T);
    total = addCounts(total, counts);
    const training = await trainingSpikes(model, sample, exported.populations.map((p) => p.layer));
    if (k === 0) spikeLayers = exported.populations.map((p) => ({ layer: p.layer, population: p.population, model: p.model, neurons: p.n, engine: 0, training: 0 }));
    spikeLayers.forEach((s, i) => {
      s.engine += engine[i];
      s.training += training[i];
      if (engine[i] !== training[i]) {
        mismatchCount++;
        if (mismatches.length < 10) mismatches.push(`sample ${k}, ${s.population}: engine ${engine[i]} spikes, training ${training[i]}`);
      }
    });
    options.onSample?.(k + 1, n);
  }
  for (const s of spikeLayers) {
    s.engine /= n;
    s.training /= n;
  }

  const spiking = zeroCounts();
  for (const key of Object.keys(spiking) as (keyof WorkCounts)[]) spiking[key] = total[key] / n;
  const snnCounts = checkCounts(addCounts(spiking, firstLayer));
  const host = firstLayer.macs > 0 ? systemEnergy(firstLayer, FIRST_LAYER_HOST).joules : 0;
  const chips = SNN_CHIPS.map((platform): ChipEnergy => {
    const e = systemEnergy(spiking, platform);
    return { platform, chipJ: e.joules, unpriced: e.unpriced, firstLayerJ: host, totalJ: e.joules + host };
  });

  const annLayers = annLayersOf(layers);
  const annCounts = annLayers.length > 0 ? annWorkCounts(annLayers) : zeroCounts();
  return {
    samples: n,
    steps: T,
    connectivity,
    snn: {
      counts: snnCounts,
      synapticOps: snnCounts.synapticOps,
      neuronUpdates: snnCounts.neuronUpdates,
      integrateFireUpdates: snnCounts.integrateFireUpdates,
      spikes: snnCounts.spikes,
      firstLayerMacs: firstLayer.macs,
      layers: spikeLayers,
      arithmetic: arithmeticSummary(snnCounts),
      chips,
    },
    ann: {
      layers: annLayers,
      macs: annCounts.macs,
      counts: annCounts,
      arithmetic: arithmeticSummary(annCounts),
      platforms: ANN_PLATFORMS.map((platform) => {
        const e = systemEnergy(annCounts, platform);
        return { platform, joules: e.joules, unpriced: e.unpriced };
      }),
    },
    spikesMatch: mismatchCount === 0,
    mismatches,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The engine's counts less the export's devices (module note): the drive source's spikes and
 * events out, IF layers' updates moved to integrateFireUpdates.
 */
function withoutExportDevices(counts: WorkCounts, net: Network, pops: ExportedPopulation[], steps: number): WorkCounts {
  const out = { ...counts };
  const drive = net.populations.findIndex((p) => p.name === 'drive');
  if (drive >= 0) {
    // The drive fires at every step, and each of its projections is dense (fan-out n_post).
    const fanOut = net.projections.filter((p) => p.pre === drive).reduce((s, p) => s + net.populations[p.post].n, 0);
    out.spikes -= steps;
    out.synapticOps -= steps * fanOut;
  }
  for (const p of pops) {
    if (p.model !== 'if') continue;
    out.neuronUpdates -= p.n * steps;
    out.integrateFireUpdates += p.n * steps;
  }
  return out;
}

/** Spikes of each listed layer (li: 0) in the training forward pass on this one sample. */
async function trainingSpikes(model: SpikingModel, sample: Float32Array, layerIndices: number[]): Promise<number[]> {
  const b = model.backend;
  const x = b.zeros(sample.length, 'energy sample');
  try {
    b.write(x, sample);
    const ws = model.forward(x, 1);
    const out: number[] = [];
    for (const index of layerIndices) {
      const l = model.resolved.layers[index];
      if (l.kind !== 'neuron' || l.model === 'li') {
        out.push(0);
        continue;
      }
      const s = await b.read(model.outputOf(ws, index));
      let count = 0;
      for (let i = 0; i < s.length; i++) count += s[i];
      out.push(count);
    }
    return out;
  } finally {
    b.release(x);
  }
}
