#!/usr/bin/env bash
# One-time set-up that `npm start`, `npm test` and `npm run bench` run first, so a fresh clone
# needs nothing but Node 20 and npm:
#   1. node_modules installed from package-lock.json (skipped when the lock has not changed);
#   2. Debian's chromium (headless browser + SwiftShader Vulkan driver), the Vulkan loader, a
#      font for figures, python3-brian (Brian2, the validation peer), PyNN with NEURON, OpenMPI
#      and mpi4py (the PyNN export's peer and the MPI timings), h5py (NIR and SONATA files
#      read back) and dataset-fashion-mnist (the Fashion-MNIST IDX files the training work
#      reads), installed with apt-get when missing and running as root;
#   3. PyNN's NEURON mechanisms compiled once, in place, where pyNN.neuron loads them (not
#      fatal: without them the NEURON tests skip).
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
# Modules of Debian's python3 (not a pyenv python on PATH): Brian2, the peer the validation tests
# and benchmarks compare against; PyNN and mpi4py, h5py. Looked up in one interpreter start
# without importing them (h5py alone takes a third of a second to import).
py_missing=$(/usr/bin/python3 -c 'import importlib.util as u, sys
print(" ".join(m for m in sys.argv[1:] if u.find_spec(m) is None))' brian2 pyNN mpi4py h5py 2>/dev/null) || py_missing="brian2 pyNN mpi4py h5py"
for m in $py_missing; do
  case $m in
    brian2) missing+=(python3-brian) ;;
    pyNN) missing+=(python3-pynn) ;;
    mpi4py) missing+=(python3-mpi4py) ;;
    h5py) missing+=(python3-h5py) ;;
  esac
done
# nrnivmodl (neuron-dev) and a C/C++ tool chain compile PyNN's NEURON mechanisms; mpirun runs it on ranks.
command -v nrnivmodl >/dev/null || missing+=(neuron-dev)
command -v make >/dev/null || missing+=(make)
[ -x /usr/bin/cc ] || missing+=(gcc)
[ -x /usr/bin/c++ ] || missing+=(g++)
command -v mpirun >/dev/null || missing+=(openmpi-bin)
# Fashion-MNIST's standard split (src/data/fashion-mnist.ts reads the gzipped IDX files).
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[setup] apt-get install $pkgs" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >&2
  else
    echo "[setup] missing Debian packages: $pkgs (WebGPU needs chromium and libvulkan1; Brian2 validation needs python3-brian; PyNN/NEURON runs need python3-pynn, neuron-dev, openmpi-bin, python3-mpi4py; SONATA/NIR read-back needs python3-h5py; Fashion-MNIST needs dataset-fashion-mnist)" >&2
    echo "[setup] install them as root: apt-get install $pkgs" >&2
    echo "[setup] (continuing: the CPU backend works without them; GPU tests fail without an adapter, Brian2, PyNN, h5py and Fashion-MNIST tests skip)" >&2
  fi
fi

# PyNN's NEURON backend loads its mechanisms (the .mod files of pyNN/neuron/nmodl) from
# nmodl/<arch>/.libs/libnrnmech.so, which Debian's python3-pynn does not ship: compiled here once.
# Debian's nrnivmodl looks for its makefile in /usr/bin, where neuron-dev does not put it, and
# links against libnrniv.so in /usr/lib/nrn: a directory whose bin/ holds the makefile is passed
# as NRNHOME_EXEC, and the library's directory as -loadflags. The `special` executable nrnivmodl
# builds last fails to compile (Debian lacks ivstream.h); PyNN never uses it, so the shared
# library is what is checked, by importing pyNN.neuron.
nrn_ok=node_modules/.neuromorph-nrnmech-stamp
nrn_failed=node_modules/.neuromorph-nrnmech-failed
compile_pynn_mechanisms() {
  # The stamp holds the library's path: a second run costs one file test.
  if [ -f "$nrn_ok" ] && [ -f "$(cat "$nrn_ok")" ]; then return 0; fi
  command -v nrnivmodl >/dev/null || return 0
  local nmodl lib makefile libdir key shim log
  nmodl=$(/usr/bin/python3 -c 'import pyNN, os; print(os.path.join(os.path.dirname(pyNN.__file__), "neuron", "nmodl"))' 2>/dev/null) || return 0
  lib="$nmodl/$(uname -m)/.libs/libnrnmech.so"
  # A failure is retried only once something it depends on changes (or its stamp is deleted).
  key="$nmodl $(stat -c %Y "$(command -v nrnivmodl)") $(command -v cc c++ make | tr '\n' ' ' || true)"
  if [ -f "$nrn_failed" ] && [ "$(head -n 1 "$nrn_failed")" = "$key" ]; then return 0; fi
  if [ ! -f "$lib" ]; then
    if [ ! -w "$nmodl" ]; then
      echo "[setup] PyNN's NEURON mechanisms are not compiled and $nmodl is not writable; as root: (cd $nmodl && nrnivmodl) (continuing: NEURON tests skip)" >&2
      return 0
    fi
    makefile=$(ls /usr/bin/nrnmech_makefile /usr/lib/nrn/nrnmech_makefile /usr/lib/*/nrn/nrnmech_makefile 2>/dev/null | head -n 1 || true)
    libdir=$(ls /usr/lib/nrn/libnrniv.so /usr/lib/libnrniv.so /usr/lib/*/libnrniv.so 2>/dev/null | head -n 1 || true)
    libdir=$(dirname "${libdir:-/usr/lib/nrn/libnrniv.so}")
    echo "[setup] nrnivmodl: compiling PyNN's NEURON mechanisms in $nmodl" >&2
    shim=$(mktemp -d)
    log=$(mktemp)
    mkdir "$shim/bin"
    if [ -n "$makefile" ]; then ln -s "$makefile" "$shim/bin/nrnmech_makefile"; fi
    (cd "$nmodl" && NRNHOME_EXEC="$shim" nrnivmodl -loadflags "-L$libdir -Wl,-rpath,$libdir") >"$log" 2>&1 || true
    rm -rf "$shim"
    if [ ! -f "$lib" ]; then
      { echo "$key"; echo "[setup] nrnivmodl did not build $lib (NEURON tests skip); its last lines:"; grep -v '^ -> ' "$log" | tail -n 8; } > "$nrn_failed"
      tail -n +2 "$nrn_failed" >&2
      echo "[setup] (delete $nrn_failed to retry)" >&2
      rm -f "$log"
      return 0
    fi
    rm -f "$log"
  fi
  local why
  if ! why=$(cd /tmp && /usr/bin/python3 -c 'import pyNN.neuron' 2>&1 >/dev/null); then
    { echo "$key"; echo "[setup] $lib exists but pyNN.neuron does not load it (NEURON tests skip):"; echo "$why" | grep -v DISPLAY | tail -n 4; } > "$nrn_failed"
    tail -n +2 "$nrn_failed" >&2
    return 0
  fi
  rm -f "$nrn_failed"
  echo "$lib" > "$nrn_ok"
}
compile_pynn_mechanisms
