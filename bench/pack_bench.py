#!/usr/bin/env python3
"""The pack benchmark (issue 11): runs per hour of many small networks, one invocation, side by side.

Nets:
  lu           (a) Lu et al.'s deep narrow net: configs/deep_narrow_abs.yaml (1-(2 x 10)-1 ReLU on
               |x|, 1,000 points full batch, 2,000 Adam steps; --lu-steps scales it down)
  deep_narrow  (b) the zoo's deep narrow MLP 784-(64 x 20)-10 on 10,000 MNIST images, 1 epoch
  mlp          (c) the MNIST MLP 784-256-256-10, 1 epoch
  zoo          (d) the zoo's deep narrow MLP (as deep_narrow) over every elementwise activation of
               experiments/activation_zoo_deep_narrow.yaml (those a pack can hold: maxout, prelu
               and rrelu cannot) x 3 seeds, 1 epoch: one mixed pack of them all
Ways of running K runs of a net, each with its own seed:
  process      one `actbench run` process per run, one after another (what a sweep did before packs)
  pack K       `actbench sweep ... seed=0..K-1 --pack K --workers 1 --threads 1`: one process
               (zoo: the sweep file above, `--pack` all of its runs: one mixed pack)
  torch        PyTorch in Python (bench/pack_reference.py), one net at a time in one process
  functorch K  PyTorch in Python, a functorch ensemble (combine_state_for_ensemble + vmap) of K
               (zoo: one ensemble of 3 seeds per activation, one after another, since an ensemble
               needs one sequence of operations)
  batched K    (lu) PyTorch in Python, the K nets as one hand-batched computation
               (bench/pack_batched_reference.py: baddbmm per layer, autograd, torch.optim.Adam)
Runs per hour = runs / CPU seconds x 3600: CPU time (user + system of the process and its
children) rather than wall time, because the machine may be shared; every variant is single-
threaded, so on an idle core the two agree. The `torch` and `functorch` figures exclude Python's
start-up and data loading (their scripts time themselves); actbench's include everything, process
start-up, data loading, writing every run directory and the results database.
Peak RSS is the largest resident set of the process tree (wait4's ru_maxrss).

Usage: bench/pack_bench.py [--nets lu,deep_narrow,mlp,zoo] [--packs 8,64,256] [--lu-pack-max 1000]
                           [--process-runs 3] [--lu-steps 2000] [--actbench build/actbench]
                           [--functorch-packs 8,64] [--batched-packs 8,64,256] [--batched-foreach]
Prints Markdown tables (the ones bench/README.md quotes) and writes the raw figures as JSON.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
PYTHON = "/usr/bin/python3"


def run(command, log, cwd=REPO):
    """(exit code, wall s, CPU s of the tree, peak RSS MiB of the tree)."""
    start = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(map(str, command))}\n{pathlib.Path(log).read_text()[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def overrides(net, args, scratch):
    common = [f"data.root={args.data_root}", "train.progress=never", "output.save_weights=false",
              "train.threads=1"]
    if net == "lu":
        return "configs/deep_narrow_abs.yaml", common + [f"train.epochs={args.lu_steps}"]
    extra = ["train.epochs=1"]
    if net == "deep_narrow":
        extra += ["model.hidden=[" + ",".join(["64"] * 20) + "]", "optim.lr=0.01",
                  "data.train_subset=10000"]
    return "configs/mnist_mlp.yaml", common + extra


def actbench_process(net, runs, args, scratch):
    config, extra = overrides(net, args, scratch)
    cpu = wall = rss = 0.0
    for seed in range(runs):
        w, c, r = run([args.actbench, "run", config, f"seed={seed}", "--quiet",
                       f"output.dir={scratch}/runs"] + extra,
                      scratch / f"{net}-process-{seed}.log")
        wall, cpu, rss = wall + w, cpu + c, max(rss, r)
    return dict(runs=runs, wall=wall, cpu=cpu, rss=rss)


# experiments/activation_zoo_deep_narrow.yaml's activations a pack can hold, with their inits.
ZOO = ["celu", "elu", "gelu", "gelu_tanh", "hard_sigmoid", "hard_swish", "hard_tanh", "identity",
       "leaky_relu", "mish", "relu", "relu6", "selu", "sigmoid", "silu", "sine", "softplus",
       "softsign", "tanh"]
ZOO_SEEDS = 3


def zoo_sweep_file(args, scratch):
    """The zoo's sweep file (experiments/activation_zoo_deep_narrow.yaml) for 1 epoch, without the
    activations a pack cannot hold."""
    inits = ["siren" if a == "sine" else "xavier_uniform" for a in ZOO]
    path = scratch / "zoo.yaml"
    path.write_text(f"""name: zoo_bench
base: {REPO}/configs/mnist_mlp.yaml
set:
  output.save_weights: false
  optim.lr: 0.01
  data.train_subset: 10000
  train.epochs: 1
  model.hidden: [{", ".join(["64"] * 20)}]
zip:
  model.activation: [{", ".join(ZOO)}]
  model.init: [{", ".join(inits)}]
seeds: [{", ".join(str(s) for s in range(ZOO_SEEDS))}]
""")
    return path


def actbench_zoo_pack(args, scratch):
    runs = len(ZOO) * ZOO_SEEDS
    command = [args.actbench, "sweep", str(zoo_sweep_file(args, scratch)), "--pack", str(runs),
               "--workers", "1", "--threads", "1", "--dir", str(scratch / "zoo-pack"),
               f"data.root={args.data_root}", "train.progress=never", "train.threads=1"]
    wall, cpu, rss = run(command, scratch / "zoo-pack.log")
    return dict(runs=runs, wall=wall, cpu=cpu, rss=rss)


def actbench_pack(net, k, args, scratch):
    config, extra = overrides(net, args, scratch)
    sweep_dir = scratch / f"{net}-pack{k}"
    command = [args.actbench, "sweep", config, f"seed=0..{k - 1}", "--pack", str(k),
               "--workers", "1", "--threads", "1", "--dir", str(sweep_dir)] + extra
    wall, cpu, rss = run(command, scratch / f"{net}-pack{k}.log")
    return dict(runs=k, wall=wall, cpu=cpu, rss=rss)


def torch_variant(net, k, mode, args, scratch, activations="relu"):
    if mode == "batched":
        command = [PYTHON, str(REPO / "bench/pack_batched_reference.py"), "--members", str(k),
                   "--steps", str(args.lu_steps)] + (["--foreach"] if args.batched_foreach else [])
    else:
        command = [PYTHON, str(REPO / "bench/pack_reference.py"), "--net", net, "--members",
                   str(k), "--mode", mode, "--steps", str(args.lu_steps), "--data-root",
                   args.data_root, "--activations", activations]
    log = scratch / f"{net}-{mode}{k}.log"
    wall, cpu, rss = run(command, log)
    # The script's own timer (training only); CPU time scaled by the same share.
    report = json.loads(pathlib.Path(log).read_text().strip().splitlines()[-1])
    inner = report["seconds"]
    return dict(runs=report["members"], wall=inner, cpu=cpu * inner / wall, rss=rss)


def chosen(option, k):
    """Whether K is among an option's comma-separated K ("": all, "none": none)."""
    return option == "" or (option != "none" and str(k) in option.split(","))


def per_hour(result):
    return result["runs"] / max(result["cpu"], 1e-9) * 3600.0


def main():
    parser = argparse.ArgumentParser(description="runs per hour of small networks, packed or not")
    parser.add_argument("--actbench", default=str(REPO / "build/actbench"))
    parser.add_argument("--data-root", default=str(REPO / "data"))
    parser.add_argument("--nets", default="lu,deep_narrow,mlp")
    parser.add_argument("--packs", default="8,64,256")
    parser.add_argument("--lu-pack-max", type=int, default=1000)
    parser.add_argument("--process-runs", type=int, default=3)
    parser.add_argument("--torch-runs", type=int, default=3)
    parser.add_argument("--lu-steps", type=int, default=2000)
    parser.add_argument("--functorch-packs", default="",
                        help="the K for functorch rows (default: every K; 'none' for none)")
    parser.add_argument("--batched-packs", default="",
                        help="the K for hand-batched rows of lu (default: every K; 'none' for none)")
    parser.add_argument("--batched-foreach", action="store_true",
                        help="the hand-batched script with Adam's multi-tensor implementation")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    packs = [int(k) for k in args.packs.split(",") if k]
    results = {}
    with tempfile.TemporaryDirectory(prefix="pack-bench-") as tmp:
        scratch = pathlib.Path(tmp)
        for net in args.nets.split(","):
            rows = {}
            if net == "zoo":
                # The same nets both ways in PyTorch: ZOO_SEEDS of each activation.
                activations = ",".join(ZOO)
                rows["torch"] = torch_variant("deep_narrow", ZOO_SEEDS, "one_at_a_time", args,
                                              scratch, activations)
                rows[f"pack {len(ZOO) * ZOO_SEEDS}"] = actbench_zoo_pack(args, scratch)
                rows[f"functorch {ZOO_SEEDS} per activation"] = torch_variant(
                    "deep_narrow", ZOO_SEEDS, "ensemble", args, scratch, activations)
                results[net] = rows
                continue
            ks = packs + ([args.lu_pack_max] if net == "lu" and args.lu_pack_max else [])
            if args.process_runs > 0:
                rows["process"] = actbench_process(net, args.process_runs, args, scratch)
            if args.torch_runs > 0:
                rows["torch"] = torch_variant(net, args.torch_runs, "one_at_a_time", args, scratch)
            for k in ks:
                rows[f"pack {k}"] = actbench_pack(net, k, args, scratch)
                line = f"[{net}] K={k}: pack {per_hour(rows[f'pack {k}']):.0f}/h"
                if net == "lu" and chosen(args.batched_packs, k):
                    rows[f"batched {k}"] = torch_variant(net, k, "batched", args, scratch)
                    line += f", batched {per_hour(rows[f'batched {k}']):.0f}/h"
                if chosen(args.functorch_packs, k):
                    rows[f"functorch {k}"] = torch_variant(net, k, "ensemble", args, scratch)
                    line += f", functorch {per_hour(rows[f'functorch {k}']):.0f}/h"
                print(line, file=sys.stderr, flush=True)
            results[net] = rows
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1))
    titles = {"lu": f"(a) Lu's net, 10 x 2 on |x|, {args.lu_steps} full-batch Adam steps",
              "deep_narrow": "(b) deep narrow MLP 20 x 64, 10,000 MNIST images, 1 epoch",
              "mlp": "(c) MNIST MLP 784-256-256-10, 1 epoch",
              "zoo": f"(d) the zoo's deep narrow MLP 20 x 64, {len(ZOO)} elementwise activations x "
                     f"{ZOO_SEEDS} seeds, 10,000 MNIST images, 1 epoch"}
    for net, rows in results.items():
        base = per_hour(rows["process"]) if "process" in rows else None
        print(f"\n### {titles[net]}\n")
        print("| variant | runs | CPU s | runs per CPU-hour | vs process per run | vs PyTorch one at "
              "a time | vs functorch | vs hand-batched | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, r in rows.items():
            def versus(other):
                return f"{per_hour(r) / per_hour(other):.2f}x" if other and other is not r else ""
            functorch = batched = None
            if name.startswith("pack "):
                k = name.split()[1]
                functorch = rows.get(f"functorch {k}") or next(
                    (v for n, v in rows.items() if n.startswith("functorch ")), None) \
                    if net == "zoo" else rows.get(f"functorch {k}")
                batched = rows.get(f"batched {k}")
            print(f"| {name} | {r['runs']} | {r['cpu']:.1f} | {per_hour(r):.0f} | "
                  f"{versus(rows.get('process')) if base else ''} | "
                  f"{versus(rows.get('torch')) if name.startswith('pack ') else ''} | "
                  f"{versus(functorch)} | {versus(batched)} | {r['rss']:.0f} |")


if __name__ == "__main__":
    main()
