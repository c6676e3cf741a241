/**
 * Runs the benchmarks named in the arguments, in whatever runtime the caller is (Node or the
 * browser): acquires the GPU once, hands every JSON row and table to the caller's callbacks.
 */
import { acquireGpu, type GpuContext, NoAdapterError } from '../src/webgpu/device.js';
import type { BenchArgs, BenchName } from './args.js';
import type { BenchHost } from './host.js';
import { type Row, scaling } from './scaling.js';
import { type VogelsAbbottPeer, vogelsAbbottBench } from './vogels-abbott.js';
import { microcircuitBench } from './microcircuit.js';
import { dispatchBench } from './dispatch.js';
import { crossbarBench } from './crossbar.js';
import { crossbarSnnBench } from './crossbar-snn.js';
import { codingBench } from './coding.js';
import { energyBench } from './energy.js';
import { dvsBench } from './dvs.js';
import { plasticityBench } from './plasticity.js';
import { convertBench } from './convert.js';
import { trainBench } from './train.js';

export interface SuiteCallbacks {
  host: BenchHost;
  /** The vogels-abbott peer (Brian2), Node only; null leaves it out. */
  peer: VogelsAbbottPeer | null;
  /** Called once the adapter is known: its name, or null when the CPU backend runs alone. */
  adapter(name: string | null): void;
  row(bench: BenchName, row: Row): void;
  table(bench: BenchName, table: string, rows: Row[]): void;
  log(msg: string): void;
}

type Benchmark = (args: BenchArgs, gpu: GpuContext | null, cb: SuiteCallbacks, emit: (row: Row) => void) => Promise<{ rows: Row[]; table: string }>;

const BENCHMARKS: Record<BenchName, Benchmark> = {
  scaling: (args, gpu, cb, emit) => scaling({ quick: args.quick, sizes: args.sizes, gpu, host: cb.host, emit, log: cb.log }),
  'vogels-abbott': (args, gpu, cb, emit) =>
    vogelsAbbottBench({ quick: args.quick, sizes: args.sizes, gpu, sameWindow: args.sameWindow, peer: cb.peer, host: cb.host, emit, log: cb.log }),
  microcircuit: (args, gpu, cb, emit) => microcircuitBench({ quick: args.quick, sizes: args.sizes, gpu, host: cb.host, emit, log: cb.log }),
  dispatch: (args, gpu, cb, emit) => dispatchBench({ quick: args.quick, gpu, host: cb.host, emit, log: cb.log }),
  crossbar: (args, gpu, cb, emit) => crossbarBench({ quick: args.quick, sizes: args.sizes, gpu, host: cb.host, emit, log: cb.log }),
  'crossbar-snn': (args, gpu, cb, emit) => crossbarSnnBench({ quick: args.quick, sizes: args.sizes, gpu, host: cb.host, emit, log: cb.log }),
  coding: (args, gpu, cb, emit) => codingBench({ quick: args.quick, gpu, host: cb.host, emit, log: cb.log }),
  energy: (args, gpu, cb, emit) => energyBench({ quick: args.quick, gpu, host: cb.host, emit, log: cb.log }),
  dvs: (args, gpu, cb, emit) => dvsBench({ quick: args.quick, gpu, host: cb.host, emit, log: cb.log }),
  plasticity: (args, gpu, cb, emit) => plasticityBench({ quick: args.quick, sizes: args.sizes, gpu, host: cb.host, emit, log: cb.log }),
  convert: (args, gpu, cb, emit) => convertBench({ quick: args.quick, gpu, host: cb.host, emit, log: cb.log }),
  train: (args, gpu, cb, emit) => trainBench({ quick: args.quick, batches: args.batches, gpu, host: cb.host, emit, log: cb.log }),
};

export async function runSuite(args: BenchArgs, cb: SuiteCallbacks): Promise<void> {
  let gpu: GpuContext | null = null;
  if (!args.cpuOnly) {
    try {
      gpu = await acquireGpu();
      cb.log(`[bench] GPU adapter: ${gpu.adapterName}`);
    } catch (e) {
      if (!(e instanceof NoAdapterError)) throw e;
      cb.log(`[bench] ${e.message} Running the CPU backend only.`);
    }
  }
  cb.adapter(gpu?.adapterName ?? null);
  try {
    for (const name of args.names) {
      const { rows, table } = await BENCHMARKS[name](args, gpu, cb, (row) => cb.row(name, row));
      cb.table(name, table, rows);
    }
  } finally {
    gpu?.release();
  }
}
