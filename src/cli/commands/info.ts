/** `neuromorph info`: the WebGPU adapter and the limits that bound network sizes. */
import { acquireGpu } from '../../webgpu/device.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';

export const INFO: ParsedCommand = {
  name: 'info',
  usage: 'neuromorph info',
  summary: 'show the WebGPU adapter and its limits',
  flags: { ...HELP_FLAG },
  maxPositional: 0,
  run: async (_args, io) => {
    const gpu = await acquireGpu();
    const l = gpu.limits;
    io.out(JSON.stringify({
      adapter: gpu.adapterName,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    }, null, 2));
    gpu.release();
    return EXIT.ok;
  },
};
