import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright';

/** Debian's Chromium: the browser and the SwiftShader Vulkan driver WebGPU needs without a GPU. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why headless Chromium cannot start here, or null when it can (for suites that skip). */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: npm test installs Debian's chromium package when run as root`;
}

/**
 * Headless Chromium with WebGPU enabled; flags measured to give the SwiftShader adapter as root.
 * `--use-angle=swiftshader` gives the compositor a GL it can use: without it, the first frame a
 * WebGPU canvas presents loses the GPU instance (every later mapAsync fails with "A valid
 * external Instance reference no longer exists").
 */
export async function launchChromium(): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader',
      '--use-angle=swiftshader',
      '--no-sandbox',
      '--no-first-run',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
