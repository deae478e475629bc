#!/usr/bin/env bash
# GPU check (issue 21), for a host with an NVIDIA GPU and driver; about 5 minutes:
#   1. npm run native:install -- --gpu --strict (tfjs-node-gpu on the CUDA build
#      of libtensorflow, with the CUDA runtime wheels: see docs/native.md),
#   2. asserts the tensorflow backend reports a GPU device,
#   3. trains the reference dense autoencoder on the GPU, then on the CPU with
#      the same library (CUDA_VISIBLE_DEVICES=-1), and prints windows/s side by side.
# On a host without a GPU it says so right after the install step and exits 2.
# Exit: 0 ok, 1 install or GPU assertion failed, 2 no GPU here.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { printf 'gpu-check: %s\n' "$*" >&2; }

for tool in node npm python3; do
  if ! command -v "$tool" >/dev/null; then
    say "FAILED: $tool is not installed on this host; the GPU route needs node and npm (Node.js 20) and python3 with pip"
    exit 1
  fi
done
say "installing the GPU route: npm run native:install -- --gpu --strict"
if ! npm run --silent native:install -- --gpu --strict; then
  say "FAILED: the GPU install did not complete (see above)"
  exit 1
fi

if [[ ! -e /proc/driver/nvidia && ! -e /dev/nvidiactl && ! -e /dev/nvidia0 ]]; then
  say "no NVIDIA GPU on this host (no /proc/driver/nvidia, /dev/nvidiactl or /dev/nvidia0): the install works and falls back to the CPU; this check is for GPU hosts"
  exit 2
fi
if command -v nvidia-smi >/dev/null; then
  say "GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -n 1)"
fi

say "training the reference dense autoencoder on the GPU"
if ! gpu=$(npx tsx scripts/gpu-check.ts --device gpu); then
  say "FAILED: the tensorflow backend does not report a GPU (see above)"
  exit 1
fi
say "the same on the CPU (CUDA_VISIBLE_DEVICES=-1)"
cpu=$(CUDA_VISIBLE_DEVICES=-1 npx tsx scripts/gpu-check.ts --device cpu)

printf '%s\n%s\n' "$gpu" "$cpu"
elapsed=$((SECONDS - started))
say "done in ${elapsed} s$([[ $elapsed -gt 300 ]] && echo ' (over the 5-minute budget)')"
