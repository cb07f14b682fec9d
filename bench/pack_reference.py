#!/usr/bin/env python3
"""PyTorch (Python, Debian's python3-torch: the same LibTorch as actbench's) twin of the pack
benchmark's nets, for bench/pack_bench.py: K networks trained one at a time, or as a functorch
ensemble (combine_state_for_ensemble + vmap, the documented way to train many small models at once
in PyTorch 1.13), each member with its own seed, initialisation and data order.

Nets (mirroring bench/pack_bench.py's actbench configs):
  lu           1-(2 x 10)-1 ReLU, He normal weights, zero biases, MSE on |x|, x ~ U[-sqrt 3, sqrt 3],
               1,000 points, full batch, Adam lr 1e-3, --steps steps
  deep_narrow  784-(64 x 20)-10 ReLU, Xavier uniform, SGD lr 0.01 momentum 0.9 with cosine decay,
               10,000 MNIST training images, batch 128, 1 epoch
  mlp          784-256-256-10 ReLU, Xavier uniform, SGD lr 0.05 momentum 0.9 with cosine decay,
               all 60,000 MNIST training images, batch 128, 1 epoch
--activations a,b,... (deep_narrow) trains --members nets of each activation in turn (the zoo:
what a functorch user must do, since an ensemble needs one sequence of operations): the nets are
deep_narrow's with that activation, Xavier uniform with the activation's gain (1 / sqrt(E[f(z)^2])
for z ~ N(0, 1) where PyTorch's calculate_gain has none), sine as SIREN's sin(30 z) with SIREN's
initialisation. --members counts nets per activation.
Each run ends with a test evaluation. Prints one JSON object: seconds (building, training and
evaluating every member, after data loading), members, mean final test metric.
"""
import argparse
import functools
import json
import math
import time

import torch
import torch.nn.functional as F

from pytorch_reference import load_split


class Elementwise(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


# The zoo's elementwise activations (those a pack can hold), as actbench's registry computes them.
ACTIVATIONS = {
    "celu": F.celu, "elu": F.elu, "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "hard_sigmoid": F.hardsigmoid,
    "hard_swish": F.hardswish, "hard_tanh": F.hardtanh, "identity": lambda x: x,
    "leaky_relu": F.leaky_relu, "mish": F.mish, "relu": F.relu, "relu6": F.relu6, "selu": F.selu,
    "sigmoid": torch.sigmoid, "silu": F.silu, "sine": lambda x: torch.sin(30.0 * x),
    "softplus": F.softplus, "softsign": F.softsign, "tanh": torch.tanh,
}
FIXED_GAINS = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + 0.01 ** 2)),
               "tanh": 5.0 / 3.0, "sigmoid": 1.0, "identity": 1.0, "selu": 0.75, "sine": 1.0}


@functools.lru_cache(maxsize=None)
def gain(activation):
    if activation in FIXED_GAINS:
        return FIXED_GAINS[activation]
    z = torch.linspace(-12.0, 12.0, 24 * 512 + 1, dtype=torch.float64)
    density = torch.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    second_moment = torch.trapezoid(ACTIVATIONS[activation](z) ** 2 * density, z).item()
    return 1.0 / math.sqrt(second_moment)


def make_net(kind, seed, activation="relu"):
    torch.manual_seed(seed)
    if kind == "lu":
        widths, out, init = [1] + [2] * 10, 1, "he"
    elif kind == "deep_narrow":
        widths, out, init = [784] + [64] * 20, 10, "xavier"
    else:
        widths, out, init = [784, 256, 256], 10, "xavier"
    if activation == "sine":
        init = "siren"
    layers = []
    for depth, (a, b) in enumerate(zip(widths, widths[1:] + [out])):
        layer = torch.nn.Linear(a, b)
        if init == "he":
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        elif init == "siren":
            bound = 1.0 / a if depth == 0 else math.sqrt(6.0 / a) / 30.0
            torch.nn.init.uniform_(layer.weight, -bound, bound)
        else:
            torch.nn.init.xavier_uniform_(layer.weight, gain=gain(activation))
        torch.nn.init.zeros_(layer.bias)
        layers += [layer, Elementwise(ACTIVATIONS[activation])]
    return torch.nn.Sequential(*layers[:-1])


def data(kind, root):
    if kind == "lu":
        g = torch.Generator().manual_seed(0)
        x = (torch.rand(1000, 1, generator=g) * 2 - 1) * math.sqrt(3.0)
        xt = (torch.rand(1000, 1, generator=g) * 2 - 1) * math.sqrt(3.0)
        return x, x.abs(), xt, xt.abs()
    subset = 10000 if kind == "deep_narrow" else 0
    x, y = load_split(root, "train", subset)
    xt, yt = load_split(root, "t10k", 0)
    return x.flatten(1), y, xt.flatten(1), yt


def settings(kind, steps):
    if kind == "lu":
        return dict(batch=0, epochs=steps, lr=1e-3, adam=True)
    return dict(batch=128, epochs=1, lr=0.01 if kind == "deep_narrow" else 0.05, adam=False)


def loss_fn(kind, out, y):
    return F.mse_loss(out, y) if kind == "lu" else F.cross_entropy(out, y)


def one_at_a_time(kind, members, x, y, xt, yt, s, activation="relu"):
    scores = []
    for m in range(members):
        net = make_net(kind, m, activation)
        if s["adam"]:
            opt = torch.optim.Adam(net.parameters(), lr=s["lr"])
        else:
            opt = torch.optim.SGD(net.parameters(), lr=s["lr"], momentum=0.9)
        n = x.shape[0]
        batch = n if s["batch"] == 0 else s["batch"]
        steps_per_epoch = (n + batch - 1) // batch
        total = steps_per_epoch * s["epochs"]
        g = torch.Generator().manual_seed(m)
        step = 0
        for _ in range(s["epochs"]):
            order = torch.randperm(n, generator=g) if batch < n else None
            for b in range(steps_per_epoch):
                if not s["adam"]:
                    for group in opt.param_groups:
                        group["lr"] = s["lr"] * 0.5 * (1 + math.cos(math.pi * step / total))
                if order is None:
                    xb, yb = x, y
                else:
                    idx = order[b * batch:(b + 1) * batch]
                    xb, yb = x[idx], y[idx]
                opt.zero_grad(set_to_none=True)
                loss_fn(kind, net(xb), yb).backward()
                opt.step()
                step += 1
        with torch.no_grad():
            out = net(xt)
            scores.append(F.mse_loss(out, yt).item() if kind == "lu"
                          else (out.argmax(1) == yt).float().mean().item())
    return scores


def ensemble(kind, members, x, y, xt, yt, s, activation="relu"):
    from functorch import combine_state_for_ensemble, vmap
    nets = [make_net(kind, m, activation) for m in range(members)]
    fmodel, params, buffers = combine_state_for_ensemble(nets)
    params = [p.detach().requires_grad_(True) for p in params]
    if s["adam"]:
        opt = torch.optim.Adam(params, lr=s["lr"])
    else:
        opt = torch.optim.SGD(params, lr=s["lr"], momentum=0.9)
    n = x.shape[0]
    batch = n if s["batch"] == 0 else s["batch"]
    steps_per_epoch = (n + batch - 1) // batch
    total = steps_per_epoch * s["epochs"]
    gens = [torch.Generator().manual_seed(m) for m in range(members)]

    def member_loss(p, b, xb, yb):
        return loss_fn(kind, fmodel(p, b, xb), yb)

    step = 0
    for _ in range(s["epochs"]):
        orders = (torch.stack([torch.randperm(n, generator=g) for g in gens])
                  if batch < n else None)
        for b in range(steps_per_epoch):
            if not s["adam"]:
                for group in opt.param_groups:
                    group["lr"] = s["lr"] * 0.5 * (1 + math.cos(math.pi * step / total))
            if orders is None:
                losses = vmap(member_loss, in_dims=(0, 0, None, None))(params, buffers, x, y)
            else:
                idx = orders[:, b * batch:(b + 1) * batch]
                losses = vmap(member_loss)(params, buffers, x[idx], y[idx])
            opt.zero_grad(set_to_none=True)
            losses.sum().backward()
            opt.step()
            step += 1
    with torch.no_grad():
        out = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, xt)
        if kind == "lu":
            scores = ((out - yt) ** 2).mean(dim=(1, 2)).tolist()
        else:
            scores = (out.argmax(2) == yt).float().mean(1).tolist()
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--net", choices=["lu", "deep_narrow", "mlp"], required=True)
    parser.add_argument("--members", type=int, default=1)
    parser.add_argument("--mode", choices=["one_at_a_time", "ensemble"], default="one_at_a_time")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--data-root", default="data")
    parser.add_argument("--activations", default="relu",
                        help="comma-separated; --members nets of each, one activation after another")
    args = parser.parse_args()
    torch.set_num_threads(1)
    x, y, xt, yt = data(args.net, args.data_root)
    s = settings(args.net, args.steps)
    activations = args.activations.split(",")
    for activation in activations:
        gain(activation)  # the quadrature once per activation, before the clock starts
    start = time.perf_counter()
    run = ensemble if args.mode == "ensemble" else one_at_a_time
    scores = []
    for activation in activations:
        scores += run(args.net, args.members, x, y, xt, yt, s, activation)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "members": args.members * len(activations),
                      "mean_score": sum(scores) / len(scores)}))


if __name__ == "__main__":
    main()
