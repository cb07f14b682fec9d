#!/usr/bin/env python3
"""The matrix multiplications of one MNIST MLP training step, and nothing else, through the same
LibTorch and BLAS that actbench calls (Debian's python3-torch), on preallocated outputs: the rate
that bench/run_bench.py holds actbench's achieved training GFLOP/s against.

For layer widths d_0..d_L and batch B a training step is, per layer i: the forward
y = b + x W^T (2 B d_i d_{i+1} FLOPs), the weight gradient dW = g^T x (the same), and, for every
layer but the first, the input gradient dx = g W (the same). Evaluation is the forward alone. Each
call costs a few microseconds of Python on top of ~0.1 ms of BLAS; that bias is against this
reference, i.e. in actbench's favour by at most ~3%.

Prints one JSON object: per shape set (train step at the training batch, eval forward at the eval
batch) the seconds per call sequence (CPU time, immune to the other users of a shared machine, and
wall time) and GFLOP/s, plus the single 128x784 @ 784x256 product the issue quotes.
"""
import argparse
import json
import time

import torch


def sequence(widths, batch, backward):
    """Returns (function running the step's matmuls once, FLOPs of one call)."""
    xs = [torch.randn(batch, w) for w in widths]
    weights = [torch.randn(b, a) * 0.05 for a, b in zip(widths[:-1], widths[1:])]
    biases = [torch.zeros(b) for b in widths[1:]]
    outs = [torch.empty(batch, b) for b in widths[1:]]
    grads = [torch.randn(batch, b) for b in widths[1:]]
    weight_grads = [torch.empty_like(w) for w in weights]
    input_grads = [torch.empty(batch, a) for a in widths[:-1]]
    flops = 0
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        flops += 2 * batch * a * b * (1 + (2 if backward else 0) - (1 if backward and i == 0 else 0))

    def run():
        for i in range(len(weights)):
            torch.addmm(biases[i], xs[i], weights[i].t(), out=outs[i])
        if backward:
            for i in reversed(range(len(weights))):
                torch.mm(grads[i].t(), xs[i], out=weight_grads[i])
                if i > 0:
                    torch.mm(grads[i], weights[i], out=input_grads[i])
    return run, flops


def measure(run, flops, min_seconds):
    for _ in range(20):
        run()
    calls = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    while time.process_time() - cpu0 < min_seconds:
        for _ in range(10):
            run()
        calls += 10
    cpu = (time.process_time() - cpu0) / calls
    wall = (time.perf_counter() - wall0) / calls
    return {"cpu_seconds": cpu, "wall_seconds": wall, "flops": flops,
            "gflops_cpu": flops / cpu * 1e-9, "gflops_wall": flops / wall * 1e-9}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--widths", default="784,256,256,10")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--eval-batch", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=2.0, help="CPU seconds per measurement")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    widths = [int(w) for w in args.widths.split(",")]
    a, b = torch.randn(128, 784), torch.randn(784, 256)
    out = torch.empty(128, 256)
    result = {
        "train_step": measure(*sequence(widths, args.batch, True), args.seconds),
        "eval_forward": measure(*sequence(widths, args.eval_batch, False), args.seconds),
        "mm_128x784x256": measure(lambda: torch.mm(a, b, out=out), 2 * 128 * 784 * 256,
                                  args.seconds),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
