"""Keras reference for training: the same dense autoencoder (layer sizes and
activations from the exported spec), Adam at the same learning rate, MSE loss,
the same batch size and the same windows. Reports windows/s per epoch as the
median over epochs after the first (the first one includes graph tracing; the
tfjs side also drops its first epoch). Prints one JSON object on stdout.

usage: keras_train.py SPEC INPUTS --batch-size B --epochs E --lr LR
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_spec  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("spec")
    p.add_argument("inputs")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--validation-fraction", type=float, default=0.2)
    a = p.parse_args()

    import tensorflow as tf

    with open(a.spec) as f:
        spec = json.load(f)
    data = model_spec.read_inputs(a.inputs, spec["features"])
    # The product holds out the latest windows and evaluates them every epoch;
    # so does this (validation_data counts inside Keras's epoch time).
    n_val = max(1, round(len(data) * a.validation_fraction))
    x, x_val = data[: len(data) - n_val], data[len(data) - n_val :]
    tf.keras.utils.set_random_seed(42)
    layers = [tf.keras.Input(shape=(spec["features"],))]
    for layer in spec["layers"]:
        if layer["type"] != "dense":
            raise SystemExit(f"keras_train: layer type {layer['type']!r} is not supported (only dense)")
        layers.append(tf.keras.layers.Dense(layer["units"], activation=layer["activation"]))
    model = tf.keras.Sequential(layers)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=a.lr), loss="mse")

    times = []

    class EpochTimer(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    model.fit(
        x,
        x,
        batch_size=a.batch_size,
        epochs=a.epochs,
        shuffle=True,
        verbose=0,
        validation_data=(x_val, x_val),
        validation_batch_size=256,
        callbacks=[EpochTimer()],
    )
    rates = [x.shape[0] / t for t in times]
    steady = rates[1:] if len(rates) > 1 else rates
    print(
        json.dumps(
            {
                "tensorflow": tf.__version__,
                "threads": {"intra": tf.config.threading.get_intra_op_parallelism_threads(), "inter": tf.config.threading.get_inter_op_parallelism_threads()},
                "windows": int(x.shape[0]),
                "batchSize": a.batch_size,
                "epochs": a.epochs,
                "windowsPerSec": statistics.median(steady),
                "samples": rates,
            }
        )
    )


if __name__ == "__main__":
    main()
