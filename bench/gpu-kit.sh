#!/usr/bin/env bash
# The benchmark suite on a machine with a real GPU and no network, in about 8 minutes:
#
#   bench/gpu-kit.sh [--quick]
#
# Needs Node >= 20 and a checkout where `npm ci` and `npm run build` were already run
# (node_modules/ and dist/ carried along); installs nothing. Everything it measures and prints goes
# to $OUT (default bench/out/gpu-kit): env.txt, nvidia-smi.txt, adapter.txt, parity.log (the
# GPU = CPU tests on this adapter; on a real GPU only), NAME.jsonl (the JSON lines), NAME.log (JSON
# lines and Markdown tables), NAME.err (progress), summary.md, kit.log.
#
# The adapter: Dawn in Node loads a Vulkan driver. src/webgpu/device.ts points the Vulkan loader at
# Chromium's SwiftShader unless NEUROMORPH_ADAPTER=default (or VK_ICD_FILENAMES is set), so this
# script, when NEUROMORPH_ADAPTER is unset and an NVIDIA Vulkan driver is installed, sets
# NEUROMORPH_ADAPTER=default and VK_ICD_FILENAMES to the NVIDIA ICD alone (Mesa's ICDs on the same
# machine are CPU renderers or drivers for absent hardware). It then checks the adapter it got; if
# the real GPU cannot be opened it says so loudly and falls back to SwiftShader. Force a choice
# with NEUROMORPH_ADAPTER=default|swiftshader.
#
#   --quick        tiny sizes and a tenth of the biological time (checks the kit; a couple of
#                  minutes on SwiftShader); chosen by itself when the adapter is not a real GPU
#   KIT_BUDGET_S   wall-clock budget in seconds (default 480); every step gets what is left, and a
#                  step cut short keeps the JSON lines it printed
# Exit status 0 when every step ran to the end, 1 otherwise (the results are written either way).
set -uo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
root=$PWD

quick=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-kit: unknown argument $a (usage: bench/gpu-kit.sh [--quick])" >&2; exit 2 ;;
  esac
done

OUT=${OUT:-$root/bench/out/gpu-kit}
case "$OUT" in /*) ;; *) OUT=$caller/$OUT ;; esac
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
budget=${KIT_BUDGET_S:-480}
: > "$OUT/kit.log"
log() { echo "[gpu-kit] $*" | tee -a "$OUT/kit.log" >&2; }
die() { log "ERROR: $*"; exit 1; }
left() { echo $((budget - SECONDS)); }

# --- 1. What must already be here -----------------------------------------------------------
command -v node >/dev/null || die "node is not on PATH (Node >= 20 needed)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node $(node -v) is too old: Node >= 20 needed"
[ -f dist/node/bench.js ] && [ -f dist/node/index.js ] || die "dist/node/bench.js is missing: run \`npm ci && npm run build\` where there is network and carry dist/ along"
[ -d node_modules/webgpu ] || die "node_modules/webgpu is missing: run \`npm ci\` where there is network and carry node_modules/ along"

# --- 2. The machine ---------------------------------------------------------------------------
{
  echo "date: $(date -u +%FT%TZ)"
  echo "uname: $(uname -a)"
  echo "node: $(node -v)"
  echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git status --porcelain 2>/dev/null | grep -q . && echo ' (working tree modified)')"
  echo "vulkan ICD files:"
  ls -l /etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d 2>/dev/null | sed 's/^/  /'
  echo "libraries:"
  ldconfig -p 2>/dev/null | grep -E 'libvulkan\.so\.1|libGLX_nvidia|libEGL_nvidia|libnvidia-gl' | sed 's/^/  /'
} > "$OUT/env.txt"
cat "$OUT/env.txt" >&2
if command -v nvidia-smi >/dev/null; then
  timeout 30 nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
  cat "$OUT/nvidia-smi.txt" >&2
else
  echo "nvidia-smi not found" > "$OUT/nvidia-smi.txt"
fi

# --- 3. The adapter -----------------------------------------------------------------------------
# The NVIDIA Vulkan ICD: the driver's own file, or one written here when the driver library is
# present without it (containers often mount the libraries but not /usr/share/vulkan).
nvidia_icd=$(ls /etc/vulkan/icd.d/nvidia*.json /usr/share/vulkan/icd.d/nvidia*.json /usr/local/share/vulkan/icd.d/nvidia*.json 2>/dev/null | head -1)
if [ -z "$nvidia_icd" ] && ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia\.so\.0'; then
  nvidia_icd=$OUT/nvidia_icd.json
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' > "$nvidia_icd"
  log "no NVIDIA ICD file, but libGLX_nvidia.so.0 is installed: wrote $nvidia_icd"
fi
# Dawn loads libvulkan.so.1; Debian's chromium package ships one when the system has none.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' && [ -e /usr/lib/chromium/libvulkan.so.1 ]; then
  export LD_LIBRARY_PATH=/usr/lib/chromium${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  log "no system libvulkan.so.1: using /usr/lib/chromium/libvulkan.so.1"
fi

if [ -z "${NEUROMORPH_ADAPTER:-}" ]; then
  if [ -n "$nvidia_icd" ]; then
    export NEUROMORPH_ADAPTER=default VK_ICD_FILENAMES=$nvidia_icd
  else
    export NEUROMORPH_ADAPTER=swiftshader
    log "no NVIDIA Vulkan driver found: the GPU rows will be SwiftShader (set NEUROMORPH_ADAPTER=default to let the Vulkan loader choose)"
  fi
fi
log "NEUROMORPH_ADAPTER=$NEUROMORPH_ADAPTER VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-(unset)}"

probe() {
  timeout 90 node --input-type=module -e "
    const { acquireGpu } = await import('$root/dist/node/index.js');
    const g = await acquireGpu();
    const l = g.limits;
    console.log('adapter: ' + g.adapterName);
    console.log('maxStorageBufferBindingSize: ' + l.maxStorageBufferBindingSize + ', maxBufferSize: ' + l.maxBufferSize + ', maxComputeWorkgroupsPerDimension: ' + l.maxComputeWorkgroupsPerDimension);
    g.release();
    process.exit(0);
  " > "$OUT/adapter.txt" 2>&1
}
real_gpu=0
if probe; then
  grep -qiE 'swiftshader|llvmpipe|lavapipe' "$OUT/adapter.txt" || real_gpu=1
else
  log "could not open a GPU with NEUROMORPH_ADAPTER=$NEUROMORPH_ADAPTER:"
  sed 's/^/    /' "$OUT/adapter.txt" | tee -a "$OUT/kit.log" >&2
  if [ "$NEUROMORPH_ADAPTER" != swiftshader ]; then
    log "REAL GPU NOT USED: falling back to SwiftShader"
    export NEUROMORPH_ADAPTER=swiftshader
    unset VK_ICD_FILENAMES
    probe || die "SwiftShader failed too: $(tail -1 "$OUT/adapter.txt")"
  else
    die "no adapter"
  fi
fi
log "$(head -1 "$OUT/adapter.txt")  ($([ $real_gpu = 1 ] && echo 'a real GPU' || echo 'a CPU renderer: GPU numbers are not GPU speed'))"
log "$(sed -n 2p "$OUT/adapter.txt")"
if [ $real_gpu = 0 ] && [ $quick = 0 ]; then
  # The full sizes take about 20 minutes on a CPU renderer; the kit must fit its budget.
  log "not a real GPU: using --quick sizes"
  quick=1
fi

# --- 4. GPU = CPU on this adapter ---------------------------------------------------------------
# Every kernel's parity test, on the adapter chosen above: exact agreement is proven on SwiftShader
# only, and a real GPU's compiler may fuse a*b + c into an FMA (docs/RELIABILITY.md). Run on a real
# GPU (or with KIT_PARITY=1); at most KIT_PARITY_S seconds (default 150) of the budget. A failure
# here is a finding to record, not a kit failure. KIT_PARITY_FILES overrides the list.
parity_files=${KIT_PARITY_FILES:-tests/parity.test.ts tests/kernels.test.ts tests/fused.test.ts tests/neuron-models.test.ts tests/delays.test.ts tests/crossbar-gpu.test.ts tests/crossbar-projection.test.ts tests/plasticity.test.ts tests/dvs-emulator-gpu.test.ts tests/coding-gpu.test.ts}
if [ $real_gpu = 1 ] || [ "${KIT_PARITY:-0}" = 1 ]; then
  if [ -x node_modules/.bin/vitest ]; then
    t=$(( ${KIT_PARITY_S:-150} < $(left) - 60 ? ${KIT_PARITY_S:-150} : $(left) - 60 ))
    log "parity: vitest run $parity_files (at most ${t} s)"
    t0=$SECONDS
    # shellcheck disable=SC2086
    timeout --kill-after=10 "$t" node_modules/.bin/vitest run $parity_files --reporter=verbose > "$OUT/parity.log" 2>&1
    rc=$?
    sed -i 's/\x1b\[[0-9;]*m//g' "$OUT/parity.log"
    log "parity: exit $rc after $((SECONDS - t0)) s; $(grep -E '^ +(Test Files|Tests) ' "$OUT/parity.log" | tr -s ' ' | tr '\n' ';')"
    grep -E '^ +× ' "$OUT/parity.log" | head -20 | sed 's/^/    /' | tee -a "$OUT/kit.log" >&2
  else
    log "parity: node_modules/.bin/vitest missing: no parity run"
  fi
fi

# --- 5. The suite ---------------------------------------------------------------------------------
# Full: scaling at 1k..1M (the benchmark's own windows: 1 s up to 10k, 0.2 s at 100k, 0.05 s at 1M);
# vogels-abbott at 4k/40k/400k with the GPU over the CPU's window (1 s, 0.1 s at 400k).
if [ $quick = 1 ]; then
  scaling_args=(scaling --quick --sizes=1000,10000)
  va_args=(vogels-abbott --quick --sizes=4000 --no-brian --same-window)
  brian_args=(vogels-abbott --quick --sizes=4000 --cpu-only)
else
  scaling_args=(scaling --sizes=1000,10000,100000,1000000)
  va_args=(vogels-abbott --sizes=4000,40000,400000 --no-brian --same-window)
  brian_args=(vogels-abbott --sizes=4000,40000 --cpu-only)
fi

failed=0
# step NAME MIN_SECONDS ARGS...: runs dist/node/bench.js with what is left of the budget.
step() {
  local name=$1 min=$2
  shift 2
  local t=$(($(left) - 5))
  if [ "$t" -lt "$min" ]; then
    log "$name: SKIPPED, ${t} s left of the budget (needs about ${min} s)"
    return
  fi
  log "$name: node dist/node/bench.js $* --out=$OUT/$name (at most ${t} s)"
  mkdir -p "$OUT/$name"
  local t0=$SECONDS
  timeout --kill-after=10 "$t" node dist/node/bench.js "$@" --out="$OUT/$name" > "$OUT/$name.log" 2> "$OUT/$name.err"
  local rc=$?
  # The JSON lines are on stdout as they are measured; a step cut short keeps what it printed.
  grep '^{' "$OUT/$name.log" > "$OUT/$name.jsonl"
  rm -rf "$OUT/$name"
  if [ $rc = 0 ]; then
    log "$name: done in $((SECONDS - t0)) s, $(wc -l < "$OUT/$name.jsonl") rows"
  else
    failed=1
    log "$name: FAILED or cut short (exit $rc) after $((SECONDS - t0)) s; $(wc -l < "$OUT/$name.jsonl") rows kept; last lines of $OUT/$name.err:"
    tail -5 "$OUT/$name.err" | sed 's/^/    /' | tee -a "$OUT/kit.log" >&2
  fi
  grep -v '^{' "$OUT/$name.log"
}

step scaling 60 "${scaling_args[@]}"
step vogels-abbott 60 "${va_args[@]}"
# Brian2 (CPU peer) only where it is importable; cpp_standalone compiles a project per network.
if /usr/bin/python3 -c 'import brian2' >/dev/null 2>&1; then
  step vogels-abbott-brian2 120 "${brian_args[@]}"
else
  log "Brian2 not importable by /usr/bin/python3: no Brian2 rows"
fi

# --- 6. One file to read ----------------------------------------------------------------------------
{
  echo "# gpu-kit results"
  echo
  echo "Mode: $([ $quick = 1 ] && echo quick || echo full); total $SECONDS s of a ${budget} s budget; NEUROMORPH_ADAPTER=$NEUROMORPH_ADAPTER."
  echo
  echo '```'
  cat "$OUT/adapter.txt" "$OUT/env.txt"
  echo '```'
  echo
  echo '```'
  head -25 "$OUT/nvidia-smi.txt"
  echo '```'
  for name in scaling vogels-abbott vogels-abbott-brian2; do
    [ -f "$OUT/$name.log" ] || continue
    echo
    echo "## $name"
    echo
    grep -v '^{' "$OUT/$name.log"
  done
  echo
  echo '## kit.log'
  echo
  echo '```'
  cat "$OUT/kit.log"
  echo '```'
} > "$OUT/summary.md"
log "total $SECONDS s; results in $OUT (summary.md, *.jsonl)"
exit $failed
