#!/usr/bin/env python3
"""actbench's performance benchmark (issue 7): one invocation that runs, side by side and
alternating, actbench and the same study in PyTorch (Python), and prints the Markdown tables of
bench/README.md.

Parts (--parts, default all):
  compare  MNIST MLP, MNIST CNN (a train subset), deep tanh MLP (8 x 256): actbench (probes off)
           against bench/pytorch_reference.py; the MLP also with every-step probes in both.
  probes   actbench's MNIST MLP with probes off, per epoch (the default), every step on the
           training batch (probes.step_source=train_batch) and every step on a probe set.
  gflops   the MLP's achieved GFLOP/s against the same matmuls alone (bench/matmul_rate.py) and
           against the FMA peak (bench/fma_peak.cpp, compiled here).
  sweep    8 MNIST MLP runs (3 epochs) as a sweep with workers x threads = 1x1, 1x2, 2x1 and the
           default: runs per hour.
Peak RSS is each process's own (wait4's ru_maxrss).

Timing. The machine may be shared, so every run's time is measured twice: the wall time the run
reports for its training (actbench: meta.json `seconds`; PyTorch: the script's own timer) and the
CPU time (user + system) of the whole process. One epoch is (time with E epochs - time with 0
epochs) / E, which removes start-up (imports, data loading, model building) and keeps what both
do per epoch: the training steps and a test-set evaluation. CPU time is what the ratios use: it
does not count time spent waiting for a core that someone else's compiler holds. Variants run
round-robin, the order reversed every repetition; figures are medians over repetitions.

Usage: bench/run_bench.py [--actbench build/actbench] [--reps 2] [--epochs 2] [--parts ...]
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
PYTHON = "/usr/bin/python3"  # Debian's, which has python3-torch: the same LibTorch as actbench's


def run_process(command, stdout_path, env=None):
    """Runs `command`; returns (exit code, wall seconds, CPU seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    with open(stdout_path, "w") as out, open(str(stdout_path) + ".err", "w") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return (process.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0)


class Variant:
    """One kind of run (a tool, a model, a probe mode) at some number of epochs."""

    def __init__(self, name, tool, model, epochs, extra, samples):
        self.name, self.tool, self.model, self.epochs = name, tool, model, epochs
        self.extra, self.samples = extra, samples
        self.results = []  # dicts: seconds (in-process wall), cpu, rss, accuracy

    def command(self, args, scratch):
        if self.tool == "actbench":
            config = "configs/mnist_cnn.yaml" if self.model == "cnn" else "configs/mnist_mlp.yaml"
            overrides = [f"data.root={args.data_root}", f"train.epochs={self.epochs}",
                         "train.progress=never", "output.save_weights=false",
                         f"output.dir={scratch}/runs", "train.threads=1"]
            if self.model == "deep_tanh":
                overrides += ["model.hidden=[256,256,256,256,256,256,256,256]",
                              "model.activation=tanh"]
            if self.model == "cnn":
                overrides += [f"data.train_subset={args.cnn_subset}",
                              f"data.test_subset={args.cnn_test_subset}"]
            return [args.actbench, "run", config] + overrides + self.extra
        command = [PYTHON, str(REPO / "bench/pytorch_reference.py"), "--model", self.model,
                   "--epochs", str(self.epochs), "--threads", "1", "--data-root", args.data_root]
        if self.model == "cnn":
            command += ["--train-subset", str(args.cnn_subset),
                        "--test-subset", str(args.cnn_test_subset)]
        return command + self.extra

    def run(self, args, scratch, env):
        stdout = scratch / f"{self.name}.out"
        code, wall, cpu, rss = run_process(self.command(args, scratch), stdout, env)
        text = stdout.read_text()
        if code != 0:
            sys.exit(f"{self.name} failed ({code}):\n{text}\n{pathlib.Path(str(stdout) + '.err').read_text()}")
        if self.tool == "actbench":
            run_dir = pathlib.Path(text.strip().splitlines()[-1].split("results in ", 1)[1])
            if not run_dir.is_absolute():
                run_dir = REPO / run_dir
            meta = json.loads((run_dir / "meta.json").read_text())
            summary = json.loads((run_dir / "summary.json").read_text())
            seconds, accuracy = meta["seconds"], summary.get("test_accuracy")
        else:
            report = json.loads(text.strip().splitlines()[-1])
            seconds, accuracy = report["seconds"], report["test_accuracy"]
        self.results.append({"seconds": seconds, "cpu": cpu, "rss": rss, "accuracy": accuracy,
                             "process_wall": wall})

    def median(self, key):
        return statistics.median(r[key] for r in self.results)


class Pair:
    """A variant at E epochs and the same at 0 epochs: per-epoch time without start-up."""

    def __init__(self, name, tool, model, epochs, extra=(), samples=60000):
        self.name, self.samples = name, samples
        self.full = Variant(name, tool, model, epochs, list(extra), samples)
        self.zero = Variant(name + "@0", tool, model, 0, list(extra), samples)

    def epoch_seconds(self, key):
        """Median over repetitions of (E-epoch run - 0-epoch run) / E, pairing runs by repetition."""
        per_rep = [(f[key] - z[key]) / self.full.epochs
                   for f, z in zip(self.full.results, self.zero.results)]
        return statistics.median(per_rep), min(per_rep), max(per_rep)


def machine_lines(args, env):
    cpu = "unknown"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    flags = pathlib.Path("/proc/cpuinfo").read_text()
    isa = "AVX-512" if " avx512f" in flags else ("AVX2" if " avx2" in flags else "SSE")
    version = subprocess.run([args.actbench, "--version"], capture_output=True, text=True,
                             env=env, cwd=REPO).stdout.strip()
    return [f"CPU: {cpu} ({isa}), {os.cpu_count()} cores, {platform.platform()}",
            f"OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE', '(unset)')}",
            "actbench --version:"] + ["    " + line for line in version.splitlines()]


def load_average():
    return pathlib.Path("/proc/loadavg").read_text().split()[0]


def run_round_robin(pairs, args, scratch, env):
    variants = [v for p in pairs for v in (p.full, p.zero)]
    for rep in range(args.reps):
        order = variants if rep % 2 == 0 else list(reversed(variants))
        for variant in order:
            print(f"  rep {rep + 1}/{args.reps}: {variant.name} (load {load_average()})",
                  file=sys.stderr, flush=True)
            variant.run(args, scratch, env)


def fmt_range(triple, scale=1.0, digits=3):
    median, low, high = (x * scale for x in triple)
    return f"{median:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def part_compare_and_probes(args, scratch, env, parts, report):
    epochs = args.epochs
    # Every-step probes on the training batch, as PyTorch's loop takes them (step_source
    # train_batch); and, for comparison, actbench's probe-set records at every step.
    step_name = "actbench MLP, every-step probes on the training batch"
    step_overrides = ["probes.every_steps=1", "probes.step_source=train_batch"]
    probe_set_name = (f"actbench MLP, every-step probes on a {args.step_probe_samples}-sample "
                      "probe set")
    probe_set_overrides = ["probes.every_steps=1", "probes.step_source=probe_set",
                           f"probes.probe_samples={args.step_probe_samples}"]
    pairs = {}
    if "compare" in parts or "probes" in parts or "gflops" in parts:
        pairs["a_mlp"] = Pair("actbench MLP, probes off", "actbench", "mlp", epochs,
                              ["probes.enabled=false"])
    if "compare" in parts:
        pairs["p_mlp"] = Pair("PyTorch MLP", "python", "mlp", epochs)
        pairs["a_mlp_step"] = Pair(step_name, "actbench", "mlp", epochs, step_overrides)
        pairs["p_mlp_step"] = Pair("PyTorch MLP, every-step probes", "python", "mlp", epochs,
                                   ["--probes", "every_step"])
        pairs["a_cnn"] = Pair("actbench CNN, probes off", "actbench", "cnn", args.cnn_epochs,
                              ["probes.enabled=false"], args.cnn_subset)
        pairs["p_cnn"] = Pair("PyTorch CNN", "python", "cnn", args.cnn_epochs, (),
                              args.cnn_subset)
        pairs["a_tanh"] = Pair("actbench deep tanh MLP, probes off", "actbench", "deep_tanh",
                               epochs, ["probes.enabled=false"])
        pairs["p_tanh"] = Pair("PyTorch deep tanh MLP", "python", "deep_tanh", epochs)
    if "probes" in parts:
        pairs["a_mlp_epoch"] = Pair("actbench MLP, per-epoch probes", "actbench", "mlp", epochs,
                                    [])
        if "a_mlp_step" not in pairs:
            pairs["a_mlp_step"] = Pair(step_name, "actbench", "mlp", epochs, step_overrides)
        pairs["a_mlp_step_set"] = Pair(probe_set_name, "actbench", "mlp", epochs,
                                       probe_set_overrides)
    if not pairs:
        return pairs
    print(f"runs: {len(pairs) * 2} variants x {args.reps} repetitions", file=sys.stderr)
    run_round_robin(list(pairs.values()), args, scratch, env)

    lines = ["| run | epoch CPU s | epoch wall s | samples/s (CPU) | test acc | peak RSS MiB |",
             "|---|---:|---:|---:|---:|---:|"]
    for pair in pairs.values():
        cpu = pair.epoch_seconds("cpu")
        wall = pair.epoch_seconds("seconds")
        lines.append(f"| {pair.name} | {fmt_range(cpu)} | {fmt_range(wall)} | "
                     f"{pair.samples / cpu[0]:.0f} | {pair.full.median('accuracy'):.4f} | "
                     f"{pair.full.median('rss'):.0f} |")
    report["runs"] = "\n".join(lines)
    report["raw"] = {key: {"full": p.full.results, "zero": p.zero.results}
                     for key, p in pairs.items()}

    def ratio(a, b):
        return pairs[a].epoch_seconds("cpu")[0] / pairs[b].epoch_seconds("cpu")[0]

    def wall_ratio(a, b):
        return pairs[a].epoch_seconds("seconds")[0] / pairs[b].epoch_seconds("seconds")[0]

    goals = []
    if "compare" in parts:
        for a, b, goal, what in [("a_mlp", "p_mlp", 0.95, "MNIST MLP, no probes"),
                                 ("a_mlp_step", "p_mlp_step", 0.85,
                                  "MNIST MLP, every-step probes"),
                                 ("a_cnn", "p_cnn", 0.70,
                                  f"MNIST CNN ({args.cnn_subset} train / "
                                  f"{args.cnn_test_subset} test samples)"),
                                 ("a_tanh", "p_tanh", None, "deep tanh MLP 8 x 256")]:
            r = ratio(a, b)
            verdict = "-" if goal is None else ("met" if r <= goal else "missed")
            goals.append(f"| {what}: actbench / PyTorch epoch time | {r:.3f} "
                         f"(wall {wall_ratio(a, b):.3f}) | "
                         f"{'-' if goal is None else f'<= {goal}'} | {verdict} |")
    if "probes" in parts:
        for a, goal, what in [("a_mlp_epoch", 0.02, "per-epoch probes"),
                              ("a_mlp_step", 0.05, "every-step probes (training batch)"),
                              ("a_mlp_step_set", None,
                               f"every-step probes ({args.step_probe_samples}-sample probe set)")]:
            overhead = ratio(a, "a_mlp") - 1
            verdict = "-" if goal is None else ("met" if overhead <= goal else "missed")
            goals.append(f"| actbench MLP overhead of {what} | {100 * overhead:+.1f}% "
                         f"(wall {100 * (wall_ratio(a, 'a_mlp') - 1):+.1f}%) | "
                         f"{'-' if goal is None else f'<= {100 * goal:.0f}%'} | {verdict} |")
    rss = max(pairs[k].full.median("rss") for k in pairs if k.startswith("a_mlp"))
    goals.append(f"| peak RSS of an actbench MNIST MLP run | {rss:.0f} MiB | < 600 MB | "
                 f"{'met' if rss * 1.048576 < 600 else 'missed'} |")
    report["goals"] = goals
    return pairs


def part_gflops(args, scratch, env, pairs, report):
    widths = [784, 256, 256, 10]
    batch, eval_batch, n_train, n_test = 128, 1000, 60000, 10000
    forward = sum(2 * a * b for a, b in zip(widths[:-1], widths[1:]))  # per sample
    train_flops = n_train * (3 * forward - 2 * widths[0] * widths[1])
    eval_flops = n_test * forward
    epoch_flops = train_flops + eval_flops

    out = scratch / "matmul.json"
    code, *_ = run_process([PYTHON, str(REPO / "bench/matmul_rate.py"), "--seconds",
                            str(args.matmul_seconds)], out, env)
    if code != 0:
        sys.exit("bench/matmul_rate.py failed")
    matmul = json.loads(out.read_text())
    binary = scratch / "fma_peak"
    subprocess.run(["c++", "-O2", "-std=c++17", "-o", str(binary),
                    str(REPO / "bench/fma_peak.cpp")], check=True)
    code, *_ = run_process([str(binary)], scratch / "fma.json", env)
    fma = json.loads((scratch / "fma.json").read_text())

    steps = (n_train + batch - 1) // batch
    matmul_epoch = (steps * matmul["train_step"]["cpu_seconds"] +
                    (n_test // eval_batch) * matmul["eval_forward"]["cpu_seconds"])
    epoch_cpu = pairs["a_mlp"].epoch_seconds("cpu")[0]
    achieved = epoch_flops / epoch_cpu * 1e-9
    matmul_rate = epoch_flops / matmul_epoch * 1e-9
    peak = fma.get("avx512", fma["avx2"])["gflops_cpu"]
    lines = ["| quantity | GFLOP/s (per CPU second) |", "|---|---:|",
             f"| actbench MNIST MLP epoch (train + test eval, probes off; "
             f"{epoch_flops / 1e9:.1f} GFLOP) | {achieved:.1f} |",
             f"| the same matmuls alone (torch.mm/addmm, preallocated outputs) | "
             f"{matmul_rate:.1f} |",
             f"| of which: train step at batch 128 | {matmul['train_step']['gflops_cpu']:.1f} |",
             f"| of which: eval forward at batch 1000 | "
             f"{matmul['eval_forward']['gflops_cpu']:.1f} |",
             f"| one 128x784 @ 784x256 matmul | {matmul['mm_128x784x256']['gflops_cpu']:.1f} |",
             f"| FMA loop, AVX2 (8 lanes) | {fma['avx2']['gflops_cpu']:.1f} |"]
    if "avx512" in fma:
        lines.append(f"| FMA loop, AVX-512 (16 lanes) | {fma['avx512']['gflops_cpu']:.1f} |")
    report["gflops"] = "\n".join(lines)
    share = achieved / matmul_rate
    report.setdefault("goals", []).append(
        f"| actbench MLP training GFLOP/s / same-shape matmul GFLOP/s | {100 * share:.0f}% "
        f"(FMA peak: {100 * achieved / peak:.0f}%) | >= 85% | {'met' if share >= 0.85 else 'missed'} |")
    report["gflops_raw"] = {"matmul": matmul, "fma": fma}


def part_sweep(args, scratch, env, report):
    settings = [("1", "1"), ("1", "2"), ("2", "1"), (None, None)]
    seeds = ",".join(str(s) for s in range(args.sweep_runs))
    times = {s: [] for s in settings}
    for rep in range(args.sweep_reps):
        for setting in (settings if rep % 2 == 0 else list(reversed(settings))):
            workers, threads = setting
            tag = f"w{workers}t{threads}r{rep}"
            command = [args.actbench, "sweep", "configs/mnist_mlp.yaml", f"seed={seeds}",
                       f"data.root={args.data_root}", "--dir", str(scratch / tag)]
            if workers:
                command += ["--workers", workers, "--threads", threads]
            print(f"  sweep rep {rep + 1}/{args.sweep_reps}: {tag} (load {load_average()})",
                  file=sys.stderr, flush=True)
            code, wall, cpu, _ = run_process(command, scratch / f"{tag}.log", env)
            if code != 0:
                sys.exit(f"sweep {tag} failed, see {scratch / tag}.log")
            times[setting].append((wall, cpu))
    base = statistics.median(w for w, _ in times[("1", "1")])
    lines = ["| workers x threads | wall s | runs per hour | vs 1x1 | CPU s |",
             "|---|---:|---:|---:|---:|"]
    rates = {}
    for setting in settings:
        wall = statistics.median(w for w, _ in times[setting])
        cpu = statistics.median(c for _, c in times[setting])
        name = f"{setting[0]}x{setting[1]}" if setting[0] else "default (no flags)"
        rates[setting] = base / wall
        lines.append(f"| {name} | {wall:.1f} | {args.sweep_runs * 3600 / wall:.0f} | "
                     f"{base / wall:.2f} | {cpu:.1f} |")
    report["sweep"] = "\n".join(lines)
    speedup = rates[("2", "1")]
    fastest = max((s for s in settings if s[0]), key=lambda s: rates[s])
    report.setdefault("goals", []).append(
        f"| sweep runs/hour, workers=2 / workers=1 | {speedup:.2f}x | >= 1.8x | "
        f"{'met' if speedup >= 1.8 else 'missed'} |")
    report["goals"].append(
        f"| fastest combination / the default's time | {fastest[0]}x{fastest[1]} / default "
        f"{rates[(None, None)]:.2f}x of 1x1 | default is fastest | "
        f"{'met' if rates[(None, None)] >= 0.97 * rates[fastest] else 'missed'} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actbench", default="build/actbench")
    parser.add_argument("--data-root", default="data")
    parser.add_argument("--parts", default="compare,probes,gflops,sweep")
    parser.add_argument("--reps", type=int, default=2, help="repetitions of every run")
    parser.add_argument("--epochs", type=int, default=2, help="epochs of the MLP runs")
    parser.add_argument("--cnn-subset", type=int, default=6000, help="CNN training samples")
    parser.add_argument("--cnn-test-subset", type=int, default=1000, help="CNN test samples")
    parser.add_argument("--cnn-epochs", type=int, default=1)
    parser.add_argument("--step-probe-samples", type=int, default=128,
                        help="probe set of actbench's every-step probes (PyTorch's: the batch, 128)")
    parser.add_argument("--sweep-runs", type=int, default=8)
    parser.add_argument("--sweep-reps", type=int, default=1)
    parser.add_argument("--matmul-seconds", type=float, default=2.0)
    parser.add_argument("--json", help="also write every measurement here")
    args = parser.parse_args()
    args.actbench = str(pathlib.Path(args.actbench).resolve())
    parts = set(args.parts.split(","))
    env = dict(os.environ)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # for both; actbench would set it itself

    report = {"command": " ".join(sys.argv), "machine": machine_lines(args, env),
              "load_start": load_average()}
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="actbench-bench-") as tmp:
        scratch = pathlib.Path(tmp)
        pairs = part_compare_and_probes(args, scratch, env, parts, report)
        if "gflops" in parts:
            part_gflops(args, scratch, env, pairs, report)
        if "sweep" in parts:
            part_sweep(args, scratch, env, report)
    report["load_end"] = load_average()
    report["minutes"] = (time.time() - started) / 60

    print("\n".join(report["machine"]))
    print(f"load average (1 min) at start {report['load_start']}, at end {report['load_end']}; "
          f"{report['minutes']:.1f} minutes\n")
    for key, title in [("runs", "Runs (per epoch: median over repetitions, range in brackets)"),
                       ("gflops", "GFLOP/s"), ("sweep", "Sweep throughput")]:
        if key in report:
            print(f"{title}\n\n{report[key]}\n")
    if report.get("goals"):
        print("Goals\n\n| goal | measured | target | |\n|---|---:|---:|---|")
        print("\n".join(report["goals"]))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
