#!/usr/bin/env python3
"""The same training runs as actbench's configs, written as a plain PyTorch (Python) user would, for
bench/run_bench.py to time side by side with actbench over the same LibTorch (Debian's python3-torch).

Models (mirroring configs/mnist_mlp.yaml and configs/mnist_cnn.yaml):
  mlp        784-256-256-10, ReLU, Xavier-uniform weights, zero biases, batch 128
  deep_tanh  784-(256 x 8)-10, tanh, otherwise as mlp
  cnn        conv32-conv64 (3x3, padding 1, ReLU, max-pool 2, dropout 0.25)-128-10, Kaiming-normal,
             batch 64
All: SGD lr 0.05 momentum 0.9 with a per-step cosine decay to 0, real MNIST normalised with
(x - 0.1307) / 0.3081, a seeded reshuffle every epoch, and a test-set evaluation (batch 1000) before
training and after every epoch, which is what actbench's run time covers too.

--probes every_step adds what a plain Python user writes to watch training: after every backward,
per hidden layer, the weight-gradient norm and the dead-unit fraction of the batch, each read with
.item().

Prints one JSON object: seconds (training and evaluation, after data loading and model building),
epochs, train_samples, test_accuracy, test_loss.
"""
import argparse
import json
import math
import pathlib
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_idx(path):
    data = pathlib.Path(path).read_bytes()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(root, prefix, subset):
    images = read_idx(f"{root}/mnist/{prefix}-images-idx3-ubyte")
    labels = read_idx(f"{root}/mnist/{prefix}-labels-idx1-ubyte")
    if subset > 0:
        images, labels = images[:subset], labels[:subset]
    x = (torch.from_numpy(images.astype(np.float32) / 255.0) - 0.1307) / 0.3081
    return x.unsqueeze(1).contiguous(), torch.from_numpy(labels.astype(np.int64))


class Mlp(torch.nn.Module):
    def __init__(self, hidden, activation):
        super().__init__()
        widths = [784] + hidden
        self.hidden = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.out = torch.nn.Linear(widths[-1], 10)
        self.activation = activation
        for layer in list(self.hidden) + [self.out]:
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
        self.activations = []

    def forward(self, x):
        x = x.flatten(1)
        self.activations = []
        for layer in self.hidden:
            x = self.activation(layer(x))
            self.activations.append(x.detach())
        return self.out(x)


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = torch.nn.Linear(64 * 7 * 7, 128)
        self.out = torch.nn.Linear(128, 10)
        self.dropout = torch.nn.Dropout(0.25)
        self.hidden = [self.conv1, self.conv2, self.fc1]
        for layer in self.hidden + [self.out]:
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
        self.activations = []

    def forward(self, x):
        self.activations = []
        x = F.relu(self.conv1(x))
        self.activations.append(x.detach())
        x = self.dropout(F.max_pool2d(x, 2))
        x = F.relu(self.conv2(x))
        self.activations.append(x.detach())
        x = self.dropout(F.max_pool2d(x, 2))
        x = F.relu(self.fc1(x.flatten(1)))
        self.activations.append(x.detach())
        return self.out(self.dropout(x))


def evaluate(model, x, y):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), 1000):
            logits = model(x[start:start + 1000])
            loss += F.cross_entropy(logits, y[start:start + 1000], reduction="sum").item()
            correct += (logits.argmax(1) == y[start:start + 1000]).sum().item()
    model.train()
    return loss / len(x), correct / len(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["mlp", "deep_tanh", "cnn"], default="mlp")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-subset", type=int, default=0)
    parser.add_argument("--test-subset", type=int, default=0)
    parser.add_argument("--probes", choices=["off", "every_step"], default="off")
    parser.add_argument("--data-root", default="data")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x, train_y = load_split(args.data_root, "train", args.train_subset)
    test_x, test_y = load_split(args.data_root, "t10k", args.test_subset)
    if args.model == "cnn":
        model, batch_size = Cnn(), 64
    elif args.model == "mlp":
        model, batch_size = Mlp([256, 256], torch.relu), 128
    else:
        model, batch_size = Mlp([256] * 8, torch.tanh), 128
    lr = 0.05
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    generator = torch.Generator().manual_seed(args.seed)
    n = len(train_x)
    steps_per_epoch = (n + batch_size - 1) // batch_size
    total_steps = steps_per_epoch * args.epochs
    grad_norms = [[] for _ in model.hidden]
    dead_fractions = [[] for _ in model.hidden]

    start = time.perf_counter()
    test_loss, test_accuracy = evaluate(model, test_x, test_y)
    step = 0
    for _ in range(args.epochs):
        order = torch.randperm(n, generator=generator)
        for batch in range(steps_per_epoch):
            for group in optimizer.param_groups:
                group["lr"] = 0.5 * lr * (1 + math.cos(math.pi * step / total_steps))
            index = order[batch * batch_size:(batch + 1) * batch_size]
            x, y = train_x[index], train_y[index]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.item()  # as actbench does: the loss is checked for divergence every step
            loss.backward()
            if args.probes == "every_step":
                for i, (layer, post) in enumerate(zip(model.hidden, model.activations)):
                    grad_norms[i].append(layer.weight.grad.norm().item())
                    dead = (post <= 0) if args.model != "deep_tanh" else (post.abs() >= 1)
                    if post.dim() > 2:  # conv: a unit is a channel
                        dead = dead.transpose(0, 1).flatten(1)
                    else:
                        dead = dead.t()
                    dead_fractions[i].append(dead.all(1).float().mean().item())
            optimizer.step()
            step += 1
        test_loss, test_accuracy = evaluate(model, test_x, test_y)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "epochs": args.epochs, "train_samples": n,
                      "test_accuracy": test_accuracy, "test_loss": test_loss}))


if __name__ == "__main__":
    main()
