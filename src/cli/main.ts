#!/usr/bin/env node
import { acquireGpu } from '../gpu/device.js';
import { runLab } from './lab.js';

const HELP = `neuromorph — a neuromorphic simulator on WebGPU

Usage:
  neuromorph lab [--out DIR]   Run the chapter's code lab on the GPU and the CPU, compare them,
                               and write figures (SVG, PNG) and report.html to DIR (default: out)
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
