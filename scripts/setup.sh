#!/usr/bin/env bash
# One-time set-up that `npm start`, `npm test` and `npm run bench` run first, so a fresh clone
# needs nothing but Node 20 and npm:
#   1. node_modules installed from package-lock.json (skipped when the lock has not changed);
#   2. Debian's chromium (headless browser + SwiftShader Vulkan driver), the Vulkan loader, a
#      font for figures, and python3-brian (Brian2, the validation peer), installed with apt-get
#      when missing and running as root.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.neuromorph-lock-stamp
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "[setup] npm ci" >&2
  npm ci --no-audit --no-fund >&2
  echo "$lock_sum" > "$stamp"
fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/lib/chromium/vk_swiftshader_icd.json ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' || missing+=(libvulkan1)
# Figures are rendered to PNG with system fonts.
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
# Brian2, the peer the validation tests and benchmarks compare against (Debian's python3).
/usr/bin/python3 -c 'import brian2' >/dev/null 2>&1 || missing+=(python3-brian)
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[setup] apt-get install $pkgs" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >&2
  else
    echo "[setup] missing Debian packages: $pkgs (WebGPU needs chromium and libvulkan1; Brian2 validation needs python3-brian)" >&2
    echo "[setup] install them as root: apt-get install $pkgs" >&2
    echo "[setup] (continuing: the CPU backend works without them; GPU tests fail without an adapter, Brian2 tests skip)" >&2
  fi
fi
