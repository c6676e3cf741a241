/**
 * The GPU bundle (bench/gpu-bundle.sh) finds everything it packs: a dry run lists Node, Dawn,
 * zod, the Vulkan loader and SwiftShader with their sizes and builds nothing.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bench/gpu-bundle.sh --dry-run', () => {
  it('lists every input of the bundle with its size, under the 60 MiB limit', () => {
    const r = spawnSync('bash', ['bench/gpu-bundle.sh', '--dry-run'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    for (const target of ['bin/node', 'node_modules/webgpu/dist/linux-x64/dawn.node', 'node_modules/zod', 'lib/vulkan/libvulkan.so.1', 'lib/swiftshader/libvk_swiftshader.so', 'lib/compat/libstdc++.so.6']) {
      expect(r.stderr).toMatch(new RegExp(`^  ${target.replace(/[.+]/g, '\\$&')} +[0-9.]+ MiB `, 'm'));
    }
    expect(r.stderr).toContain('dry run: would write');
    expect(r.stderr).toContain('at most 60 MiB');
  });
});
