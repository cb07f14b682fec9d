#!/usr/bin/env python3
"""A hand-batched PyTorch twin of an actbench pack of Lu et al.'s net, for bench/pack_bench.py: the K
networks 1-(2 x 10)-1 ReLU as ONE batched computation, as an expert would write it by hand in
PyTorch 1.13 (Debian's python3-torch: the same LibTorch as actbench's): every layer's parameters
stacked along a member dimension (weights [K, out, in], biases [K, out, 1]), one `torch.baddbmm`
per layer, autograd for the backward pass, one `torch.optim.Adam` over the stacked tensors (Adam
is elementwise, so each member moves as it would alone), one thread.

Values are features-major, [K, units, B] (the B samples of a unit contiguous): for width-2 layers
this is about twice as fast as [K, B, units] (bench/README.md, "Packs"), so it is what an expert
would pick. Each member starts from the tensors bench/pack_reference.py gives its seed (He normal
weights, zero biases), fits |x| on the same 1,000 points with full-batch MSE, Adam lr 1e-3, and
ends with a test evaluation. --foreach picks Adam's multi-tensor implementation.

Prints one JSON object: seconds (stacking, training and evaluating every member, after data
loading), members, mean final test MSE.
"""
import argparse
import json
import time

import torch

from pack_reference import data, make_net


def stacked_parameters(members):
    """Weights [K, out, in] and biases [K, out, 1] of every layer, member k from seed k."""
    nets = [make_net("lu", m) for m in range(members)]
    linears = [[layer for layer in net if isinstance(layer, torch.nn.Linear)] for net in nets]
    weights, biases = [], []
    for depth in range(len(linears[0])):
        weights.append(torch.stack([n[depth].weight.detach() for n in linears]).requires_grad_(True))
        biases.append(torch.stack([n[depth].bias.detach() for n in linears])
                      .unsqueeze(2).requires_grad_(True))
    return weights, biases


def forward(weights, biases, x):
    """x: [1, in, B] shared by every member; returns [K, out, B]."""
    h = x.expand(weights[0].shape[0], -1, -1)
    for depth, (w, b) in enumerate(zip(weights, biases)):
        h = torch.baddbmm(b, w, h)
        if depth + 1 < len(weights):
            h = torch.relu(h)
    return h


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=64)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--foreach", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    x, y, xt, yt = data("lu", "")
    # Features-major, one data set for every member: [1, 1, B].
    x, y, xt, yt = (t.t().unsqueeze(0).contiguous() for t in (x, y, xt, yt))
    start = time.perf_counter()
    weights, biases = stacked_parameters(args.members)
    optimizer = torch.optim.Adam(weights + biases, lr=1e-3, foreach=args.foreach)
    for _ in range(args.steps):
        out = forward(weights, biases, x)
        # Each member's own mean loss, summed: member k's gradient is that of its loss alone.
        loss = (out - y).square().mean(dim=(1, 2)).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        test = (forward(weights, biases, xt) - yt).square().mean(dim=(1, 2))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "members": args.members,
                      "mean_score": test.mean().item()}))


if __name__ == "__main__":
    main()
