/**
 * Getting a GPUDevice: in the browser from navigator.gpu, in Node from the `webgpu` package (Dawn),
 * or from the host application, whose device we use and never destroy.
 */
export interface GpuContext {
  device: GPUDevice;
  /** Human-readable adapter name, reported in every result. */
  adapterName: string;
  /** True when we created the device and so may destroy it. */
  owned: boolean;
  limits: GPUSupportedLimits;
  /** Destroys the device if we own it; a no-op for a device the caller supplied. */
  release(): void;
}

export class NoAdapterError extends Error {
  constructor(detail: string) {
    super(`No WebGPU adapter: ${detail}. The CPU backend ('cpu') still works.`);
    this.name = 'NoAdapterError';
  }
}

export interface AcquireOptions {
  /** Use this device (owned by the caller) instead of requesting one. */
  device?: GPUDevice;
  /** Name to report for a caller-supplied device. */
  adapterName?: string;
  powerPreference?: GPUPowerPreference;
}

/** Limits we ask for: as large as the adapter allows, since networks are large. */
const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
] as const;

export async function acquireGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  if (options.device) {
    const device = options.device;
    return { device, adapterName: options.adapterName ?? 'host-supplied device', owned: false, limits: device.limits, release: () => {} };
  }
  const gpu = await findGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new NoAdapterError('navigator.gpu.requestAdapter() returned null');
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUESTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredLimits });
  const adapterName = describeAdapter(adapter.info);
  return { device, adapterName, owned: true, limits: device.limits, release: () => device.destroy() };
}

export function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s && s.length > 0);
  const desc = info.description?.trim();
  if (desc && parts.length > 0) return `${desc} (${parts.join(' ')})`;
  return desc || parts.join(' ') || 'unknown adapter';
}

/**
 * Whether the context runs on SwiftShader (its adapter name, from the adapter info, says so), the
 * one adapter on which every kernel is proven to give its CPU twin's bits: its compiler does not
 * contract the multiply-adds the kernels are written with (docs/parity.md). A caller-supplied
 * device of unknown origin counts as another adapter.
 */
export function adapterIsSwiftShader(gpu: Pick<GpuContext, 'adapterName'>): boolean {
  return /swiftshader/i.test(gpu.adapterName);
}

/** Chromium's SwiftShader Vulkan driver (Debian's chromium package), used when no driver is set. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Which Vulkan driver Dawn gets in Node, from NEUROMORPH_ADAPTER: `swiftshader` forces
 * SWIFTSHADER_ICD; `default` leaves the choice to the Vulkan loader, so a real GPU's driver wins;
 * `auto` (unset) uses SwiftShader unless VK_ICD_FILENAMES or VK_DRIVER_FILES already name a driver.
 */
export const ADAPTER_CHOICES = ['auto', 'default', 'swiftshader'] as const;

let nodeGpu: GPU | undefined;

async function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const proc = (globalThis as { process?: { versions?: { node?: string }; env: Record<string, string | undefined> } }).process;
  if (!proc?.versions?.node) throw new NoAdapterError('this browser does not expose navigator.gpu (WebGPU disabled or unsupported)');
  if (nodeGpu) return nodeGpu;
  const fs = await import(/* @vite-ignore */ 'node:' + 'fs');
  const choice = proc.env.NEUROMORPH_ADAPTER || 'auto';
  if (!(ADAPTER_CHOICES as readonly string[]).includes(choice)) throw new Error(`NEUROMORPH_ADAPTER: expected one of ${ADAPTER_CHOICES.join(', ')}, got ${JSON.stringify(choice)}`);
  // The Vulkan loader reads these when Dawn first creates an instance, so set them before create().
  if (choice === 'swiftshader' || (choice === 'auto' && !proc.env.VK_ICD_FILENAMES && !proc.env.VK_DRIVER_FILES)) {
    if (fs.existsSync(SWIFTSHADER_ICD)) {
      proc.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
      delete proc.env.VK_DRIVER_FILES; // newer loaders prefer it over VK_ICD_FILENAMES
    } else if (choice === 'swiftshader') {
      throw new NoAdapterError(`NEUROMORPH_ADAPTER=swiftshader, but ${SWIFTSHADER_ICD} is missing (Debian's chromium package)`);
    }
  }
  proc.env.XDG_RUNTIME_DIR ??= '/tmp';
  let mod: { create: (flags: string[]) => GPU };
  try {
    mod = await import(/* @vite-ignore */ 'web' + 'gpu');
  } catch (e) {
    throw new NoAdapterError(`the 'webgpu' package (Dawn for Node) could not be loaded: ${(e as Error).message}`);
  }
  nodeGpu = mod.create([]);
  return nodeGpu;
}
