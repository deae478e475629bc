"""BLAS reference for scoring: the forward pass of the exported dense
autoencoder through numpy (matmul goes to the BLAS numpy was built with),
plus each window's mean squared reconstruction error, which the product's
scoreWindows also computes. Prints one JSON object on stdout.

usage: blas_forward.py SPEC WEIGHTS INPUTS --batch-sizes 1,64,1024
       --min-seconds S --repeats R [--check-out FILE --check-count N]
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_spec  # noqa: E402


def forward(layers, x, length, channels):
    h = x
    for w, b, act in layers:
        h = h @ w
        h += b
        h = model_spec.ACTIVATIONS[act](h)
    # Per-channel share of the squared error, as the product's scoreWindows computes.
    err = x - h
    np.square(err, out=err)
    per_channel = err.reshape(-1, length, channels).sum(axis=1) / (length * channels)
    return h, per_channel


def measure(layers, pool, shape, batch, min_seconds, repeats, warmup):
    n_pool = pool.shape[0]
    starts = list(range(0, n_pool - batch + 1, batch)) or [0]
    for i in range(warmup):
        s = starts[i % len(starts)]
        forward(layers, pool[s : s + batch], *shape)
    rates = []
    for _ in range(repeats):
        calls = 0
        t0 = time.perf_counter()
        elapsed = 0.0
        while elapsed < min_seconds:
            s = starts[calls % len(starts)]
            forward(layers, pool[s : s + batch], *shape)
            calls += 1
            elapsed = time.perf_counter() - t0
        rates.append(calls * batch / elapsed)
    return statistics.median(rates), rates


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no mode= argument
        return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("spec")
    p.add_argument("weights")
    p.add_argument("inputs")
    p.add_argument("--batch-sizes", default="1,64,1024")
    p.add_argument("--min-seconds", type=float, default=1.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--check-out")
    p.add_argument("--check-count", type=int, default=16)
    a = p.parse_args()

    spec, layers = model_spec.load(a.spec, a.weights)
    pool = model_spec.read_inputs(a.inputs, spec["features"])
    shape = (spec["windowLength"], spec["channels"])
    if a.check_out:
        recon, _ = forward(layers, pool[: a.check_count].copy(), *shape)
        recon.astype("<f4").tofile(a.check_out)
    results = []
    for batch in (int(b) for b in a.batch_sizes.split(",")):
        median, rates = measure(layers, pool, shape, batch, a.min_seconds, a.repeats, a.warmup)
        results.append({"batchSize": batch, "windowsPerSec": median, "samples": rates})
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    print(json.dumps({"numpy": np.__version__, "blas": blas_name(), "threads": threads, "results": results}))


if __name__ == "__main__":
    main()
