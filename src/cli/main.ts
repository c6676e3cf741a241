#!/usr/bin/env node
import { acquireGpu } from '../gpu/device.js';
import { runLab } from './lab.js';
import { EXAMPLES, runExample } from './run.js';

const HELP = `neuromorph — a neuromorphic simulator on WebGPU

Usage:
  neuromorph lab [--out DIR]   Run the chapter's code lab on the GPU and the CPU, compare them,
                               and write figures (SVG, PNG) and report.html to DIR (default: out)
  neuromorph run EXAMPLE [--backend gpu|cpu] [--duration MS] [--n N] [--seed S] [--out DIR]
                               Run a built-in network (cuba, coba: Vogels–Abbott, 4000 neurons;
                               brunel-AI, brunel-SR, brunel-SI_fast, brunel-SI_slow: Brunel 2000,
                               12,500 neurons) and print rates, CV of ISI, wall time and real-time
                               factor; with --out, write a spike raster (SVG, PNG)
  neuromorph info              Show the WebGPU adapter and its limits
  neuromorph --help            This text

Exit codes: 0 success, 1 the backends disagree, 2 bad arguments, 3 no WebGPU adapter.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || rest.includes('--help')) {
    console.log(HELP);
    return command ? 0 : 2;
  }
  if (command === 'lab') {
    let out = 'out';
    for (let k = 0; k < rest.length; k++) {
      if (rest[k] === '--out' && rest[k + 1]) out = rest[++k];
      else return usage(`lab: unknown argument ${rest[k]}`);
    }
    return runLab(out);
  }
  if (command === 'run') {
    const [example, ...flags] = rest;
    if (!example || !(example in EXAMPLES)) return usage(`run: EXAMPLE must be one of ${Object.keys(EXAMPLES).join(', ')}`);
    const o = { example, backend: 'gpu' as 'gpu' | 'cpu', duration_ms: 1000, n: undefined as number | undefined, seed: 1, out: undefined as string | undefined };
    for (let k = 0; k < flags.length; k += 2) {
      const [flag, value] = [flags[k], flags[k + 1]];
      if (value === undefined) return usage(`run: ${flag} needs a value`);
      if (flag === '--backend' && (value === 'gpu' || value === 'cpu')) o.backend = value;
      else if (flag === '--duration' && Number(value) > 0) o.duration_ms = Number(value);
      else if (flag === '--n' && Number.isInteger(Number(value))) o.n = Number(value);
      else if (flag === '--seed' && Number.isInteger(Number(value))) o.seed = Number(value);
      else if (flag === '--out') o.out = value;
      else return usage(`run: bad option ${flag} ${value}`);
    }
    return runExample(o);
  }
  if (command === 'info') {
    if (rest.length > 0) return usage(`info: unknown argument ${rest[0]}`);
    try {
      const gpu = await acquireGpu();
      const l = gpu.limits;
      console.log(JSON.stringify({
        adapter: gpu.adapterName,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      }, null, 2));
      gpu.release();
      return 0;
    } catch (e) {
      console.error((e as Error).message);
      return 3;
    }
  }
  return usage(`unknown command ${command}`);
}

function usage(message: string): number {
  console.error(`${message}\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
