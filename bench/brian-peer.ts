/**
 * Brian2 as the `vogels-abbott` peer (Node only: it runs Debian's python3 on files we write).
 * `cpp_standalone` and the runtime device with the `cython` target run our network from our
 * initial state with our exact synapses (tests/brian2/vogels-abbott-spec.ts);
 * `cpp_standalone-textbook` runs the same model as Brian2's examples write it, with Brian2's own
 * initial state and connectivity (bench/brian-textbook.ts). The time reported is Brian's own
 * simulation loop, as described in bench/vogels-abbott.ts.
 *
 * BRIAN2_PEERS (comma-separated backend names, e.g. `brian2-cpp_standalone-textbook`) limits the
 * peer to those backends; by default all three run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkPlan } from '../src/plan/types.js';
import type { Network } from '../src/model/network.js';
import type { VogelsAbbottModel } from '../src/networks/vogels-abbott.js';
import { brianAvailable, PYTHON, runBrian } from '../tests/brian2/brian.js';
import { vogelsAbbottSpec } from '../tests/brian2/vogels-abbott-spec.js';
import { textbookSpec } from './brian-textbook.js';
import { sig } from './format.js';
import type { Row } from './scaling.js';
import type { Measured, PeerBackend, VogelsAbbottPeer } from './vogels-abbott.js';

interface BrianRun {
  wall_s: number;
  run_s: number;
  make_s?: number;
  binary_s?: number;
  /** Textbook runs: the synapses Brian2 drew. */
  synapses?: number;
  counts: number[];
  cv: (number | null)[];
}

/** The Brian2 peer, or null (with the reason logged) when /usr/bin/python3 cannot import brian2. */
export function brianPeer(log: (msg: string) => void): VogelsAbbottPeer | null {
  if (!brianAvailable()) {
    log('[vogels-abbott] Brian2 not importable by /usr/bin/python3: Brian2 rows left out');
    return null;
  }
  const version = spawnSync(PYTHON, ['-c', 'import brian2; print(brian2.__version__)'], { encoding: 'utf8' }).stdout?.trim();
  const label = version ? `Brian2 ${version}` : 'Brian2';
  const backends = selectedBackends(process.env.BRIAN2_PEERS);
  // The synapse files of the (model, N) being measured, shared by both backends.
  const files = new Map<string, string>();
  const filesFor = (model: VogelsAbbottModel, n: number) => {
    const key = `${model}-${n}`;
    if (!files.has(key)) files.set(key, mkdtempSync(join(tmpdir(), `neuromorph-va-${key}-`)));
    return files.get(key)!;
  };
  return {
    label,
    backends,
    measure: (model, net, plan, n, backend, bioS) => measureBrian(label, model, net, plan, n, backend, bioS, filesFor(model, n)),
    done: (model, n) => {
      const dir = files.get(`${model}-${n}`);
      if (dir) rmSync(dir, { recursive: true, force: true });
      files.delete(`${model}-${n}`);
    },
    // Brian2's std::clock() is its process's CPU time; ours likewise (user + system, microseconds).
    cpuSeconds: () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    },
  };
}

const PEER_BACKENDS: readonly PeerBackend[] = ['brian2-cpp_standalone', 'brian2-cpp_standalone-textbook', 'brian2-cython'];

/** The backends named in `list` (comma-separated), or all of them when it is empty. */
function selectedBackends(list: string | undefined): PeerBackend[] {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) return [...PEER_BACKENDS];
  const unknown = names.filter((s) => !(PEER_BACKENDS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`BRIAN2_PEERS: unknown backend ${unknown.join(', ')}; have ${PEER_BACKENDS.join(', ')}`);
  return PEER_BACKENDS.filter((b) => names.includes(b));
}

function measureBrian(label: string, model: VogelsAbbottModel, net: Network, plan: NetworkPlan, n: number, backend: PeerBackend, bioS: number, files: string): Measured {
  const textbook = backend === 'brian2-cpp_standalone-textbook';
  const standalone = textbook || backend === 'brian2-cpp_standalone';
  // One persistent project per (formulation, model, N): a rerun of the benchmark recompiles nothing.
  const buildDir = join(tmpdir(), 'neuromorph-brian2-cpp_standalone', `${textbook ? 'textbook-' : ''}${model}-${n}`);
  if (standalone) mkdirSync(buildDir, { recursive: true });
  const spec = textbook
    ? textbookSpec(model, n, bioS * 1000, buildDir)
    : vogelsAbbottSpec(model, net, plan, files, {
        durationMs: bioS * 1000,
        seeds: [null],
        ...(standalone ? { device: 'cpp_standalone' as const, buildDir } : { target: 'cython' as const }),
      });
  const adapter = `${label} ${standalone ? 'cpp_standalone (g++, 1 thread)' : 'runtime, cython target'}${textbook ? ', textbook formulation' : ''}`;
  const t = performance.now();
  try {
    const r = runBrian<{ runs: BrianRun[] }>(spec).runs[0];
    const processS = (performance.now() - t) / 1000;
    let spikes = 0;
    for (const c of r.counts) spikes += c;
    const cvs = r.cv.filter((c): c is number => c !== null);
    const extra: Row = { process_s: sig(processS, 3), run_and_codegen_s: sig(r.wall_s, 3) };
    if (standalone) {
      extra.make_s = sig(r.make_s ?? NaN, 3);
      extra.binary_s = sig(r.binary_s ?? NaN, 3);
      extra.build_dir = buildDir;
    }
    if (r.synapses !== undefined) extra.brian2_synapses = r.synapses;
    return {
      backend,
      integration: String(spec.method),
      runtime: 'python',
      adapter,
      bioS,
      // Brian's own loop time: std::clock() (process CPU time) in the standalone binary without
      // OpenMP, time.time() (wall) in the runtime device.
      timeS: r.run_s,
      clock: standalone ? 'cpu' : 'wall',
      wallS: standalone ? NaN : r.run_s,
      spikes,
      rateHz: spikes / n / bioS,
      cvIsi: cvs.length === 0 ? NaN : cvs.reduce((s, c) => s + c, 0) / cvs.length,
      extra,
    };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const lines = msg.trim().split('\n');
    return { backend, integration: String(spec.method), runtime: 'python', adapter, bioS, timeS: NaN, clock: standalone ? 'cpu' : 'wall', wallS: NaN, spikes: NaN, rateHz: NaN, cvIsi: NaN, extra: { process_s: sig((performance.now() - t) / 1000, 3) }, error: lines.slice(-3).join(' | ') };
  }
}
