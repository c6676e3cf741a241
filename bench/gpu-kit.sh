#!/usr/bin/env bash
# The benchmark suite on a machine with a real GPU and no network, in about 8 minutes:
#
#   bench/gpu-kit.sh [--quick]
#
# Needs Node >= 20 on PATH and a tree where `npm ci` and `npm run build` were already run
# (node_modules/webgpu and dist/ carried along); installs nothing. Where the machine has no Node,
# carry the folder bench/gpu-bundle.sh writes instead: its run.sh unpacks Node, Dawn, the Vulkan
# loader and dist/ into /tmp and runs this script there.
# Everything goes to $OUT (default bench/out/gpu-kit), six files: summary.md (the one to read),
# env.txt (machine, nvidia-smi, the adapter and its limits), parity.log (GPU = CPU for every kernel
# family on this adapter), results.jsonl (every JSON line: parity, then the benchmarks), bench.log
# (the benchmarks' tables and progress), kit.log.
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
#   KIT_PARITY_S   at most this much of the budget for the parity check (default 150; 0: none)
#   KIT_NVIDIA_ICD the NVIDIA Vulkan ICD file to try (default: the first one found)
# Set by the bundle's run.sh (bench/gpu-bundle.sh), which also puts its Node on PATH and its Vulkan
# loader on LD_LIBRARY_PATH:
#   KIT_BUNDLE           the bundle's build line (commit, date), reported in env.txt
#   KIT_SWIFTSHADER_ICD  a SwiftShader ICD file, used instead of Chromium's for SwiftShader
# Exit status 0 when every step ran to the end, 1 otherwise (the results are written either way).
# A parity difference is a finding to record (parity.log), not a kit failure.
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
rm -f "$OUT"/{summary.md,env.txt,parity.log,results.jsonl,bench.log,kit.log}
work=$(mktemp -d /tmp/gpu-kit.XXXXXX)
trap 'rm -rf "$work"' EXIT
budget=${KIT_BUDGET_S:-480}
log() { echo "[gpu-kit] $*" | tee -a "$OUT/kit.log" >&2; }
die() { log "ERROR: $*"; exit 1; }
left() { echo $((budget - SECONDS)); }

# --- 1. What must already be here -----------------------------------------------------------
command -v node >/dev/null || die "node is not on PATH (Node >= 20 needed; on a machine without Node use bench/gpu-bundle.sh)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node $(node -v) is too old: Node >= 20 needed"
[ -f dist/node/bench.js ] && [ -f dist/node/index.js ] && [ -f dist/node/gpu-parity.js ] || die "dist/node/{bench,gpu-parity}.js missing: run \`npm ci && npm run build\` where there is network and carry dist/ along"
[ -d node_modules/webgpu ] || die "node_modules/webgpu is missing: run \`npm ci\` where there is network and carry node_modules/ along"

# --- 2. The Vulkan driver -----------------------------------------------------------------------
# The NVIDIA ICD: the driver's own file (containers mount it under /usr/local/nvidia), or one
# written here when the driver library is present without it.
nvidia_icd=${KIT_NVIDIA_ICD:-$(ls /etc/vulkan/icd.d/nvidia*.json /usr/share/vulkan/icd.d/nvidia*.json /usr/local/share/vulkan/icd.d/nvidia*.json /usr/local/nvidia/share/vulkan/icd.d/nvidia*.json 2>/dev/null | head -1)}
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  # Where the container's driver libraries are not in the linker cache, the loader finds them here.
  [ -d "$d" ] && case ":${LD_LIBRARY_PATH:-}:" in *":$d:"*) ;; *) export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d ;; esac
done
if [ -z "$nvidia_icd" ] && { ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia\.so\.0' || ls /usr/local/nvidia/lib*/libGLX_nvidia.so.0 >/dev/null 2>&1; }; then
  nvidia_icd=$work/nvidia_icd.json
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' > "$nvidia_icd"
  log "no NVIDIA ICD file, but libGLX_nvidia.so.0 is installed: wrote one"
fi
# Dawn loads libvulkan.so.1 (the bundle's run.sh puts its own first on LD_LIBRARY_PATH); Debian's
# chromium package ships one when the system has none.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' && [ -z "${KIT_BUNDLE:-}" ] && [ -e /usr/lib/chromium/libvulkan.so.1 ]; then
  export LD_LIBRARY_PATH=/usr/lib/chromium${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  log "no system libvulkan.so.1: using /usr/lib/chromium/libvulkan.so.1"
fi
# SwiftShader: the bundle's own driver, or Chromium's through NEUROMORPH_ADAPTER=swiftshader.
on_swiftshader=0
use_swiftshader() {
  on_swiftshader=1
  if [ -n "${KIT_SWIFTSHADER_ICD:-}" ]; then
    export NEUROMORPH_ADAPTER=default VK_ICD_FILENAMES=$KIT_SWIFTSHADER_ICD VK_DRIVER_FILES=$KIT_SWIFTSHADER_ICD
  else
    export NEUROMORPH_ADAPTER=swiftshader
    unset VK_ICD_FILENAMES VK_DRIVER_FILES
  fi
}

case "${NEUROMORPH_ADAPTER:-}" in
  '')
    if [ -n "$nvidia_icd" ]; then
      # Newer loaders read VK_DRIVER_FILES before VK_ICD_FILENAMES: set both to the one driver.
      export NEUROMORPH_ADAPTER=default VK_ICD_FILENAMES=$nvidia_icd VK_DRIVER_FILES=$nvidia_icd
    else
      use_swiftshader
      log "no NVIDIA Vulkan driver found: the GPU rows will be SwiftShader (set NEUROMORPH_ADAPTER=default to let the Vulkan loader choose)"
    fi ;;
  swiftshader) use_swiftshader ;;
esac
log "NEUROMORPH_ADAPTER=$NEUROMORPH_ADAPTER VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-(unset)} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-(unset)}"

# --- 3. The machine and the adapter -------------------------------------------------------------
{
  echo "date: $(date -u +%FT%TZ)"
  echo "uname: $(uname -a)"
  echo "node: $(node -v) ($(command -v node))"
  echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}')"
  commit=$(git rev-parse HEAD 2>/dev/null) && { git status --porcelain 2>/dev/null | grep -q . && commit="$commit (working tree modified)"; }
  echo "commit: ${commit:-unknown}"
  [ -n "${KIT_BUNDLE:-}" ] && echo "bundle: $KIT_BUNDLE"
  echo "NVIDIA_DRIVER_CAPABILITIES: ${NVIDIA_DRIVER_CAPABILITIES:-(unset)}"
  echo "vulkan ICD files:"
  ls -l /etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>/dev/null | sed 's/^/  /'
  [ -n "$nvidia_icd" ] && echo "NVIDIA ICD $nvidia_icd: $(tr -d '\n' < "$nvidia_icd")"
  echo "libraries:"
  { ldconfig -p 2>/dev/null | grep -E 'libvulkan\.so\.1|libGLX_nvidia|libEGL_nvidia|libnvidia-gl'; ls /usr/local/nvidia/lib*/libGLX_nvidia* 2>/dev/null; } | sed 's/^/  /'
  echo
  if command -v nvidia-smi >/dev/null; then timeout 30 nvidia-smi 2>&1; else echo "nvidia-smi not found"; fi
} > "$work/machine.txt"

probe() {
  timeout 90 node --input-type=module -e "
    const { acquireGpu } = await import('$root/dist/node/index.js');
    const g = await acquireGpu();
    const l = g.limits;
    console.log('adapter: ' + g.adapterName);
    console.log('maxStorageBufferBindingSize: ' + l.maxStorageBufferBindingSize + ', maxBufferSize: ' + l.maxBufferSize + ', maxComputeWorkgroupsPerDimension: ' + l.maxComputeWorkgroupsPerDimension);
    g.release();
    process.exit(0);
  " > "$work/adapter.txt" 2>&1
}
real_gpu=0
fell_back=0
if probe; then
  grep -qiE 'swiftshader|llvmpipe|lavapipe' "$work/adapter.txt" || real_gpu=1
else
  log "could not open a GPU with NEUROMORPH_ADAPTER=$NEUROMORPH_ADAPTER VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-(unset)}:"
  sed 's/^/    /' "$work/adapter.txt" | tee -a "$OUT/kit.log" >&2
  if [ $on_swiftshader = 0 ]; then
    log "########  REAL GPU NOT USED: falling back to SwiftShader, a CPU renderer; no number below is GPU speed  ########"
    use_swiftshader
    fell_back=1
    probe || die "SwiftShader failed too: $(tail -1 "$work/adapter.txt")"
  else
    die "no adapter"
  fi
fi
{ cat "$work/adapter.txt"; echo; cat "$work/machine.txt"; } > "$OUT/env.txt"
log "$(head -1 "$work/adapter.txt")  ($([ $real_gpu = 1 ] && echo 'a real GPU' || echo 'a CPU renderer: GPU numbers are not GPU speed'))"
log "$(sed -n 2p "$work/adapter.txt")"
if [ $real_gpu = 0 ] && [ $quick = 0 ]; then
  # The full sizes take about 20 minutes on a CPU renderer; the kit must fit its budget.
  log "not a real GPU: using --quick sizes"
  quick=1
fi
quick_flag=$([ $quick = 1 ] && echo --quick)

# --- 4. GPU = CPU on this adapter ---------------------------------------------------------------
# Every kernel family against its CPU twin (dist/node/gpu-parity.js, bench/gpu-parity.ts): exact
# agreement is proven on SwiftShader, and a real GPU's compiler may fuse a*b + c into an FMA
# (docs/RELIABILITY.md). A difference is a finding to record, not a kit failure.
: > "$OUT/results.jsonl"
parity_s=${KIT_PARITY_S:-150}
if [ "$parity_s" -gt 0 ]; then
  t=$(( parity_s < $(left) - 60 ? parity_s : $(left) - 60 ))
  log "parity: node dist/node/gpu-parity.js $quick_flag (at most ${t} s)"
  t0=$SECONDS
  # shellcheck disable=SC2086
  timeout --kill-after=10 "$t" node dist/node/gpu-parity.js $quick_flag --budget-s=$((t * 3 / 4)) > "$work/parity.out" 2> "$work/parity.err"
  rc=$?
  { cat "$work/parity.err"; grep -v '^{' "$work/parity.out"; } > "$OUT/parity.log"
  grep '^{' "$work/parity.out" >> "$OUT/results.jsonl"
  log "parity: exit $rc after $((SECONDS - t0)) s ($(case $rc in 0) echo 'every check held its guarantee (bit for bit on SwiftShader)' ;; 3) echo 'all that ran held; some skipped for time' ;; 124 | 137) echo 'cut short' ;; *) echo 'DIFFERENCES OR ERRORS: see parity.log' ;; esac)); $(tail -1 "$work/parity.out")"
  grep -E 'VIOLATED|DIFFERS|ERROR' "$work/parity.err" | head -20 | sed 's/^/    /' | tee -a "$OUT/kit.log" >&2
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
  log "$name: node dist/node/bench.js $* (at most ${t} s)"
  mkdir -p "$work/$name"
  local t0=$SECONDS
  timeout --kill-after=10 "$t" node dist/node/bench.js "$@" --out="$work/$name" > "$work/$name.out" 2> "$work/$name.err"
  local rc=$?
  # The JSON lines are on stdout as they are measured; a step cut short keeps what it printed.
  grep '^{' "$work/$name.out" >> "$OUT/results.jsonl"
  grep -v '^{' "$work/$name.out" > "$work/$name.md"
  { echo "===== $name: $*"; cat "$work/$name.md"; echo "----- $name: progress"; cat "$work/$name.err"; echo; } >> "$OUT/bench.log"
  local rows
  rows=$(grep -c '^{' "$work/$name.out")
  if [ $rc = 0 ]; then
    log "$name: done in $((SECONDS - t0)) s, $rows rows"
  else
    failed=1
    log "$name: FAILED or cut short (exit $rc) after $((SECONDS - t0)) s; $rows rows kept; last lines of its progress:"
    tail -5 "$work/$name.err" | sed 's/^/    /' | tee -a "$OUT/kit.log" >&2
  fi
  cat "$work/$name.md"
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
log "total $SECONDS s; results in $OUT (summary.md, results.jsonl)"
{
  echo "# gpu-kit results"
  echo
  [ $fell_back = 1 ] && echo "**REAL GPU NOT USED: it could not be opened (kit.log says why); SwiftShader ran instead.**" && echo
  echo "Mode: $([ $quick = 1 ] && echo quick || echo full); total $SECONDS s of a ${budget} s budget; NEUROMORPH_ADAPTER=$NEUROMORPH_ADAPTER VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-(unset)}; $([ $real_gpu = 1 ] && echo 'a real GPU' || echo '**not a real GPU**')."
  echo
  echo '```'
  head -60 "$OUT/env.txt"
  echo '```'
  if [ -s "$work/parity.out" ]; then
    echo
    echo "## GPU = CPU parity"
    grep -v '^{' "$work/parity.out"
  fi
  for name in scaling vogels-abbott vogels-abbott-brian2; do
    [ -f "$work/$name.md" ] || continue
    echo
    echo "## $name"
    echo
    cat "$work/$name.md"
  done
  echo
  echo '## kit.log'
  echo
  echo '```'
  cat "$OUT/kit.log"
  echo '```'
} > "$OUT/summary.md"
exit $failed
