/**
 * Where the playground's network comes from: a built-in example or a loaded network file, with
 * the parameters the page lets one edit (seed, and n for examples that scale). Every build is a
 * fresh, identical network, so the agreement check can build the same one again.
 */
import { readNetworkFile } from '../io/network-file.js';
import { readNir } from '../interop/nir/file.js';
import { importNir } from '../interop/nir/import.js';
import type { NetworkFile } from '../io/network-schema.js';
import type { Network } from '../model/network.js';
import { EXAMPLES, type Example } from '../networks/examples.js';
import { checkSize, estimateFileSize, LimitError, PAGE_LIMITS } from './limits.js';

export interface BuildParams {
  seed?: number;
  /** Total neurons, for sources that scale. */
  n?: number;
}

export interface NetworkSource {
  /** What the page calls it: an example's name or the file's name. */
  label: string;
  title: string;
  scalable: boolean;
  /** Neurons when n is not given. */
  defaultN?: number;
  defaultDurationMs: number;
  defaultSeed: number;
  build(params: BuildParams): Network;
}

/** Default sizes of the scalable examples (src/networks), for the n field and the size check. */
const DEFAULT_N: Record<string, number> = { cuba: 4000, coba: 4000 };
const BRUNEL_N = 12_500;

/** Synapses an example would draw at n neurons: constant in-degree 80 (Vogels–Abbott) or 0.1 n (Brunel). */
function exampleSynapses(name: string, n: number): number {
  if (name.startsWith('brunel-')) return 0.1 * n * n;
  if (name === 'cuba' || name === 'coba') return 80 * n;
  return 0;
}

export function exampleSource(example: Example): NetworkSource {
  const defaultN = example.scalable ? (DEFAULT_N[example.name] ?? (example.name.startsWith('brunel-') ? BRUNEL_N : undefined)) : undefined;
  return {
    label: example.name,
    title: example.title,
    scalable: example.scalable,
    defaultN,
    defaultDurationMs: example.duration_ms,
    defaultSeed: example.name.startsWith('code-lab') ? 2 : 1,
    build: ({ seed, n }) => {
      const size = n ?? defaultN;
      if (size !== undefined) checkSize(example.name, { neurons: size, synapses: exampleSynapses(example.name, size) });
      return example.build({ seed, n: example.scalable ? n : undefined });
    },
  };
}

export function exampleSources(): NetworkSource[] {
  return [...EXAMPLES.values()].map(exampleSource);
}

/** Rate of the Poisson spikes that drive a NIR graph's inputs in the playground (a graph brings no data). */
export const NIR_INPUT_RATE_HZ = 200;

/**
 * A NIR graph (.nir) as a source: imported with the defaults of docs/interop.md (dt 1e-4 s,
 * reset to v_reset, exact integration), its inputs driven by Poisson spikes at
 * NIR_INPUT_RATE_HZ. Read and checked once here, so a graph the engine cannot express is
 * refused when the file is chosen.
 */
export async function nirSource(fileName: string, bytes: Uint8Array): Promise<NetworkSource> {
  if (bytes.length > PAGE_LIMITS.fileChars) throw new LimitError(`${fileName} is ${(bytes.length / 2 ** 20).toFixed(0)} MiB; the playground reads files up to ${PAGE_LIMITS.fileChars / 2 ** 20} MiB`);
  const graph = await readNir(bytes);
  const build = (seed?: number) => importNir(graph, { seed, inputRate_hz: NIR_INPUT_RATE_HZ }).network;
  const first = build();
  checkSize(fileName, { neurons: first.neuronCount, synapses: first.synapseCount });
  return {
    label: fileName,
    title: `NIR graph ${fileName}: ${first.populations.length} populations, inputs at ${NIR_INPUT_RATE_HZ} Hz (dt ${first.dt} ms)`,
    scalable: false,
    defaultDurationMs: 100,
    defaultSeed: 1,
    build: ({ seed }) => build(seed),
  };
}

/**
 * A network file as a source. Checks its size before building anything and validates it once
 * here, so problems show as soon as the file is chosen (readNetworkFile throws NetworkFileError
 * with every problem named by its path).
 */
export function fileSource(fileName: string, text: string): NetworkSource {
  if (text.length > PAGE_LIMITS.fileChars) throw new LimitError(`${fileName} is ${(text.length / 2 ** 20).toFixed(0)} MiB; the playground reads files up to ${PAGE_LIMITS.fileChars / 2 ** 20} MiB`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text; // the reader reports the JSON error in its own words
  }
  checkSize(fileName, estimateFileSize(json));
  const { file } = readNetworkFile(json);
  const rebuild = (f: NetworkFile) => readNetworkFile(f).network;
  return {
    label: fileName,
    title: file.description ?? file.name ?? fileName,
    scalable: false,
    defaultDurationMs: file.run?.duration_ms ?? 200,
    defaultSeed: file.seed,
    build: ({ seed }) => rebuild(seed === undefined ? file : { ...file, seed }),
  };
}
