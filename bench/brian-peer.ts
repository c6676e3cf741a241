/**
 * Brian2 as the `vogels-abbott` peer (Node only: it runs Debian's python3 on files we write).
 * `cpp_standalone` and the runtime device with the `cython` target run our network from our
 * initial state with our exact synapses (tests/brian2/vogels-abbott-spec.ts); the time reported is
 * Brian's own simulation loop, as described in bench/vogels-abbott.ts.
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
import { sig } from './format.js';
import type { Row } from './scaling.js';
import type { Measured, PeerBackend, VogelsAbbottPeer } from './vogels-abbott.js';

interface BrianRun {
  wall_s: number;
  run_s: number;
  make_s?: number;
  binary_s?: number;
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
  // The synapse files of the (model, N) being measured, shared by both backends.
  const files = new Map<string, string>();
  const filesFor = (model: VogelsAbbottModel, n: number) => {
    const key = `${model}-${n}`;
    if (!files.has(key)) files.set(key, mkdtempSync(join(tmpdir(), `neuromorph-va-${key}-`)));
    return files.get(key)!;
  };
  return {
    label,
    backends: ['brian2-cpp_standalone', 'brian2-cython'],
    measure: (model, net, plan, n, backend, bioS) => measureBrian(label, model, net, plan, n, backend, bioS, filesFor(model, n)),
    done: (model, n) => {
      const dir = files.get(`${model}-${n}`);
      if (dir) rmSync(dir, { recursive: true, force: true });
      files.delete(`${model}-${n}`);
    },
  };
}

function measureBrian(label: string, model: VogelsAbbottModel, net: Network, plan: NetworkPlan, n: number, backend: PeerBackend, bioS: number, files: string): Measured {
  const standalone = backend === 'brian2-cpp_standalone';
  // One persistent project per (model, N): a rerun of the benchmark recompiles nothing.
  const buildDir = join(tmpdir(), 'neuromorph-brian2-cpp_standalone', `${model}-${n}`);
  if (standalone) mkdirSync(buildDir, { recursive: true });
  const spec = vogelsAbbottSpec(model, net, plan, files, {
    durationMs: bioS * 1000,
    seeds: [null],
    ...(standalone ? { device: 'cpp_standalone' as const, buildDir } : { target: 'cython' as const }),
  });
  const adapter = `${label} ${standalone ? 'cpp_standalone (g++, 1 thread)' : 'runtime, cython target'}`;
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
    return {
      backend,
      runtime: 'python',
      adapter,
      bioS,
      wallS: r.run_s,
      spikes,
      rateHz: spikes / n / bioS,
      cvIsi: cvs.length === 0 ? NaN : cvs.reduce((s, c) => s + c, 0) / cvs.length,
      extra,
    };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const lines = msg.trim().split('\n');
    return { backend, runtime: 'python', adapter, bioS, wallS: NaN, spikes: NaN, rateHz: NaN, cvIsi: NaN, extra: { process_s: sig((performance.now() - t) / 1000, 3) }, error: lines.slice(-3).join(' | ') };
  }
}
