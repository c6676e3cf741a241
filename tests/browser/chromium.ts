import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright';

/** Debian's Chromium: the browser and the SwiftShader Vulkan driver WebGPU needs without a GPU. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why headless Chromium cannot start here, or null when it can (for suites that skip). */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: npm test installs Debian's chromium package when run as root`;
}

/** Headless Chromium with WebGPU enabled; flags measured to give the SwiftShader adapter as root. */
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
      '--no-sandbox',
      '--no-first-run',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
