#!/usr/bin/env python3
"""Reads a run's dead-unit masks (dead_units.pt) the way its documentation says, with torch.load and
numpy.unpackbits, and checks them against PyTorch in Python: a ReLU MLP trained by actbench at a
dying setting (Adam, lr 0.05); the last record's mask must name exactly the units whose
pre-activation is never positive on the probe set (the first 256 training images) under the saved
weights, every record's mask must give the dead fraction metrics.csv reports, and for ReLU every
dead unit is structurally dead.

Usage: check_dead_units_in_numpy.py ACTBENCH_BINARY SOURCE_DIR DATA_ROOT
"""
import csv
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import torch


def read_idx(path):
    data = pathlib.Path(path).read_bytes()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    binary, source_dir, data_root = sys.argv[1:4]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([binary, "run", f"{source_dir}/configs/mnist_mlp.yaml", f"data.root={data_root}",
                        "data.train_subset=6000", "train.epochs=1", "model.hidden=[64,64]",
                        "optim.name=adam", "optim.lr=0.05", "optim.schedule.name=constant",
                        "train.divergence_threshold=0", "probes.every_steps=10",
                        "probes.probe_samples=256", f"output.dir={tmp}", "train.progress=never"],
                       check=True, stdout=subprocess.DEVNULL)
        run = next(pathlib.Path(tmp).iterdir())
        masks = torch.load(run / "dead_units.pt")
        state = torch.load(run / "weights.pt")
        metrics = list(csv.DictReader((run / "metrics.csv").open()))

    steps = masks["step"].numpy()
    dead = {}
    for layer in ("fc1", "fc2"):
        units = int(masks[f"{layer}.units"])
        dead[layer] = np.unpackbits(masks[f"{layer}.dead"].numpy(), axis=1, count=units)
        structural = np.unpackbits(masks[f"{layer}.structural"].numpy(), axis=1, count=units)
        if not np.array_equal(dead[layer], structural):
            failures.append(f"{layer}: a ReLU unit dead but not structurally dead")
        reported = {int(r["step"]): float(r["value"]) for r in metrics
                    if r["layer"] == layer and r["metric"] == "dead_fraction"}
        for row, step in enumerate(steps):
            if abs(dead[layer][row].mean() - reported[int(step)]) > 1e-12:
                failures.append(f"{layer} step {step}: mask {dead[layer][row].mean()} vs "
                                f"metrics.csv {reported[int(step)]}")

    images = read_idx(f"{data_root}/mnist/train-images-idx3-ubyte")[:256].astype(np.float32) / 255.0
    x = ((torch.from_numpy(images) - 0.1307) / 0.3081).reshape(256, -1)
    with torch.no_grad():
        z1 = x @ state["fc1.weight"].T + state["fc1.bias"]
        z2 = torch.relu(z1) @ state["fc2.weight"].T + state["fc2.bias"]
    for layer, z in (("fc1", z1), ("fc2", z2)):
        peak = z.max(0).values.numpy()
        expected = (peak <= 0).astype(np.uint8)
        # Units within float rounding of 0 may go either way between two BLAS calls.
        differ = (expected != dead[layer][-1]) & (np.abs(peak) > 1e-5)
        if differ.any():
            failures.append(f"{layer}: mask and weights disagree on units {np.flatnonzero(differ)}")
        print(f"{layer}: {int(dead[layer][-1].sum())} of {len(peak)} units dead at the end, "
              f"{int(expected.sum())} never positive under the saved weights")
    if dead["fc1"][-1].sum() + dead["fc2"][-1].sum() == 0:
        failures.append("no unit died: the setting does not exercise the masks")
    for failure in failures:
        print("FAIL:", failure)
    print("1 passed, 0 failed" if not failures else "0 passed, 1 failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
