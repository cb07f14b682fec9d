#!/usr/bin/env python3
"""Cross-checks actbench against PyTorch in Python: train a small MNIST MLP with actbench, load its
weights.pt with torch.load into a plain torch.nn.Sequential, evaluate it on the real MNIST test set
(normalised with the documented constants) and require the same test loss and accuracy that actbench
wrote in summary.json.

Usage: check_weights_in_pytorch.py ACTBENCH_BINARY SOURCE_DIR DATA_ROOT
"""
import json
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
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([binary, "run", f"{source_dir}/configs/mnist_mlp.yaml", f"data.root={data_root}",
                        "data.train_subset=6000", "train.epochs=1", "model.hidden=[64,32]",
                        "model.activation=tanh", f"output.dir={tmp}", "train.progress=never"],
                       check=True, stdout=subprocess.DEVNULL)
        run = next(pathlib.Path(tmp).iterdir())
        summary = json.loads((run / "summary.json").read_text())
        state = torch.load(run / "weights.pt")

    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 64), torch.nn.Tanh(),
                                torch.nn.Linear(64, 32), torch.nn.Tanh(), torch.nn.Linear(32, 10))
    model.load_state_dict({"1.weight": state["fc1.weight"], "1.bias": state["fc1.bias"],
                           "3.weight": state["fc2.weight"], "3.bias": state["fc2.bias"],
                           "5.weight": state["out.weight"], "5.bias": state["out.bias"]})
    images = read_idx(f"{data_root}/mnist/t10k-images-idx3-ubyte").astype(np.float32) / 255.0
    labels = torch.from_numpy(read_idx(f"{data_root}/mnist/t10k-labels-idx1-ubyte").astype(np.int64))
    x = (torch.from_numpy(images) - 0.1307) / 0.3081
    with torch.no_grad():
        logits = model(x.unsqueeze(1))
    accuracy = (logits.argmax(1) == labels).double().mean().item()
    loss = torch.nn.functional.cross_entropy(logits, labels).item()
    print(f"actbench: accuracy {summary['test_accuracy']:.6f} loss {summary['test_loss']:.6f}")
    print(f"pytorch:  accuracy {accuracy:.6f} loss {loss:.6f}")
    ok = abs(accuracy - summary["test_accuracy"]) <= 2e-4 and abs(loss - summary["test_loss"]) <= 1e-4
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
