#!/usr/bin/env bash
# A sweep run as a real Slurm job array: starts a single-node Slurm cluster (Debian's slurm-wlm and
# munge) in a scratch directory, writes the array with `actbench sweep --backend slurm`, submits it
# with sbatch, waits, collects the runs with `actbench collect`, and checks the database and report.
# Needs root (slurmd and munged), as CI has. Usage: slurm_array_test.sh ACTBENCH_BINARY
# Everything it touches lives in its scratch directory: its own munge key, socket and daemon, Slurm's
# state, spool and logs on their own ports; it cancels only the jobs it submitted and stops only the
# daemons it started (by their pid files). Nothing under /etc or /run is read or written.
set -euo pipefail
actbench=$(readlink -f "$1")
scratch=$(mktemp -d /tmp/actbench-slurm-XXXXXX)
chmod 755 "$scratch"
export SLURM_CONF="$scratch/slurm.conf"

submitted=()
cleanup() {
  for job_id in "${submitted[@]}"; do scancel --full --quiet "$job_id" 2>/dev/null || true; done
  for pidfile in "$scratch/slurmd.pid" "$scratch/slurmctld.pid" "$scratch/munged.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 0.5
  rm -rf "$scratch"
}
trap cleanup EXIT

fail() { echo "FAILED: $*"; for f in "$scratch"/*.log; do echo "== $f"; tail -n 20 "$f"; done; echo "0 passed, 1 failed"; exit 1; }

# munge: a daemon of the test's own, with its own key and socket (--force: it runs as root here).
socket="$scratch/munge.socket"
mungekey --create --keyfile="$scratch/munge.key" && chmod 400 "$scratch/munge.key"
munged --force --socket="$socket" --key-file="$scratch/munge.key" --log-file="$scratch/munged.log" \
  --pid-file="$scratch/munged.pid" --seed-file="$scratch/munged.seed" || fail "munged did not start"
for _ in $(seq 50); do munge -n --socket="$socket" 2>/dev/null | unmunge --socket="$socket" >/dev/null 2>&1 && break; sleep 0.1; done
munge -n --socket="$socket" | unmunge --socket="$socket" >/dev/null || fail "munge does not answer"

node_line=$(slurmd -C | head -n 1)
host=$(hostname -s)
mkdir -p "$scratch/state" "$scratch/spool"
cat > "$SLURM_CONF" <<CONF
ClusterName=actbench
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$socket
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/slurmctld.log
SlurmdLogFile=$scratch/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MinJobAge=3600
SchedulerParameters=batch_sched_delay=0
$node_line
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i || fail "slurmctld did not start"
slurmd || fail "slurmd did not start"
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.1; done
sinfo -h -o %T | grep -q idle || fail "the node never became idle: $(sinfo 2>&1)"

cd "$scratch"
printf 'data: {dataset: synthetic}\nmodel: {hidden: [16]}\ntrain: {epochs: 2}\n' > base.yaml
printf 'name: slurm_demo\nbase: base.yaml\ngrid: {model.activation: [relu, tanh]}\nseeds: [0, 1]\n' > sweep.yaml
"$actbench" sweep sweep.yaml --backend slurm --dir "$scratch/sweep" --max-parallel 2 > plan.log
grep -q "4 array tasks" plan.log || fail "plan: $(cat plan.log)"
grep -q -- "--array=0-3%2" sweep/slurm/array.sbatch || fail "array line: $(cat sweep/slurm/array.sbatch)"
job=$(sbatch --parsable sweep/slurm/array.sbatch) || fail "sbatch"
submitted+=("$job")
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h -j "$job")" ] || fail "the array did not finish in 120 s: $(squeue)"

"$actbench" collect sweep > collect.log
grep -q "completed: 4" collect.log || fail "collect: $(cat collect.log; cat sweep/slurm/*.out)"
"$actbench" report sweep --format csv > report.csv
grep -q '^relu,2,2,0,0' report.csv || fail "report: $(cat report.csv)"
# Resuming a finished Slurm sweep submits nothing.
"$actbench" sweep sweep.yaml --backend slurm --dir "$scratch/sweep" --resume | grep -q "every run has finished" \
  || fail "resume of a finished sweep"
echo "slurm job array $job: 4 runs completed and collected"
echo "1 passed, 0 failed"
