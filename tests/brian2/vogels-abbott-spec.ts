/**
 * The runner spec (tests/brian2/runner.py, `network` mode) for a Vogels–Abbott CUBA or COBA network
 * of ours: the same parameters, our initial state and our exact synapses, exported to files in
 * `dir`. Shared by tests/brian2.test.ts (validation) and bench/vogels-abbott.ts (Brian2 as the peer).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Network } from '../../src/model/network.js';
import type { NetworkPlan } from '../../src/plan/types.js';
import { VOGELS_ABBOTT, type VogelsAbbottModel, vogelsAbbottMethod } from '../../src/networks/vogels-abbott.js';
import { exportProjections } from './brian.js';

export interface VogelsAbbottSpecOptions {
  durationMs: number;
  /** null: start from our initial state (the files); a number: Brian's own draw with that seed. */
  seeds: (number | null)[];
  /** Runtime code generation target (the runner's default is numpy). */
  target?: 'numpy' | 'cython';
  /** cpp_standalone builds its project in buildDir. */
  device?: 'runtime' | 'cpp_standalone';
  buildDir?: string;
}

/** `net` is `vogelsAbbott({ model, ... })` and `plan` its `lowerNetwork(net)`. */
export function vogelsAbbottSpec(model: VogelsAbbottModel, net: Network, plan: NetworkPlan, dir: string, opts: VogelsAbbottSpecOptions): Record<string, unknown> {
  // Our initial state, exported so one Brian2 run starts exactly where we do.
  const nE = plan.byId[0].n;
  const nI = plan.byId[1].n;
  const vInit = new Float32Array(nE + nI);
  vInit.set(plan.byId[0].lif!.vInit);
  vInit.set(plan.byId[1].lif!.vInit, nE);
  writeFileSync(join(dir, 'v.bin'), vInit);
  const init: Record<string, unknown> = { v: join(dir, 'v.bin') };
  if (model === 'coba') {
    for (const [k, name] of [
      [0, 'ge'],
      [1, 'gi'],
    ] as const) {
      const all = new Float32Array(nE + nI);
      all.set(plan.byId[0].lif!.synInit.subarray(k * nE, (k + 1) * nE));
      all.set(plan.byId[1].lif!.synInit.subarray(k * nI, (k + 1) * nI), nE);
      writeFileSync(join(dir, `${name}.bin`), all);
      init[name] = join(dir, `${name}.bin`);
    }
  }
  init.expressions = model === 'cuba' ? { v: 'Vr + rand() * (Vt - Vr)' } : { v: '(-60 + 5 * randn()) * mV', ge: '4 + 1.5 * randn()', gi: '20 + 12 * randn()' };
  const P = VOGELS_ABBOTT;
  const params =
    model === 'cuba'
      ? { v_rest: P.cuba.e_l, v_reset: P.v_reset, v_th: P.v_th, tau_m: P.tau_m, t_ref: P.t_ref, tau_e: P.tau_e, tau_i: P.tau_i }
      : { v_rest: P.coba.e_l, v_reset: P.v_reset, v_th: P.v_th, tau_m: P.tau_m, t_ref: P.t_ref, tau_e: P.tau_e, tau_i: P.tau_i, e_e: P.coba.e_e, e_i: P.coba.e_i };
  const spec: Record<string, unknown> = {
    mode: 'network',
    model,
    method: vogelsAbbottMethod(model),
    dt: P.dt,
    duration_ms: opts.durationMs,
    n_exc: nE,
    n_inh: nI,
    params,
    init,
    projections: exportProjections(net, dir),
    seeds: opts.seeds,
  };
  if (opts.target) spec.target = opts.target;
  if (opts.device) spec.device = opts.device;
  if (opts.buildDir) spec.build_dir = opts.buildDir;
  return spec;
}
