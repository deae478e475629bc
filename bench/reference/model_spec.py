"""Reads the model exported by bench/reference/export.ts: a JSON layer list
plus one little-endian float32 file holding every weight in layer order."""
import json

import numpy as np

ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0, out=x),
    "tanh": lambda x: np.tanh(x, out=x),
    "sigmoid": lambda x: np.reciprocal(1 + np.exp(-x, out=x), out=x),
}


def load(spec_path, weights_path):
    with open(spec_path) as f:
        spec = json.load(f)
    flat = np.fromfile(weights_path, dtype="<f4")
    layers = []
    for layer in spec["layers"]:
        if layer["type"] != "dense":
            raise SystemExit(f"model_spec: layer type {layer['type']!r} has no numpy reference (only dense)")
        if layer["activation"] not in ACTIVATIONS:
            raise SystemExit(f"model_spec: activation {layer['activation']!r} is not supported")
        n_in, n_out, off = layer["inputs"], layer["units"], layer["offset"]
        w = flat[off : off + n_in * n_out].reshape(n_in, n_out).copy()
        b = flat[off + n_in * n_out : off + n_in * n_out + n_out].copy()
        layers.append((w, b, layer["activation"]))
    return spec, layers


def read_inputs(path, features):
    x = np.fromfile(path, dtype="<f4")
    if x.size % features != 0:
        raise SystemExit(f"model_spec: {path} holds {x.size} floats, not a multiple of {features}")
    return x.reshape(-1, features)
