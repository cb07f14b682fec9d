// Worker processes, locking and resume for sweeps (see sweep_runner.hpp).
#include "sweep/sweep_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "config/loader.hpp"
#include "core/display.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/strings.hpp"
#include "experiment/pack.hpp"
#include "sweep/pack_plan.hpp"

namespace actbench::sweep {

namespace {

using Clock = std::chrono::steady_clock;

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m{:02}s", s / 3600, (s / 60) % 60, s % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

// Progress and failure lines on the sweep's output. A write that fails (the output on a full disk)
// loses the line and nothing else: the results database holds every outcome, and a sweep must not
// stop, nor its workers be killed with it, because its console cannot take a line.
template <typename... Args>
void say(std::FILE* out, fmt::format_string<Args...> format, Args&&... args) noexcept {
  try {
    fmt::print(out, format, std::forward<Args>(args)...);
    std::fflush(out);
  } catch (...) {
    std::clearerr(out);
  }
}

// The log a worker writes beside its run directory (<runs>/<id>.log).
std::filesystem::path worker_log(const std::filesystem::path& run_dir) {
  return run_dir.parent_path() / (run_dir.filename().string() + ".log");
}

// The last non-empty line of a failed worker's log: its error message ("cannot write ...: No space
// left on device"), so the database and the sweep's output say why, not only an exit code.
std::string last_log_line(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

// Starts `args` (an actbench command) in a child that dies with us (PR_SET_PDEATHSIG), with its
// output in `log`.
pid_t spawn_worker(std::vector<std::string> args, const std::string& log) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(fmt::format("cannot start a worker: {}", std::strerror(errno)));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The sweep may have died between fork and prctl; then nobody would kill this worker, and a
    // --resume would rerun its run while it still writes into the same directory.
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    // Only async-signal-safe calls after fork (no formatting, which may allocate); a failed write
    // is ignored, the exit code 127 says it.
    const char* parts[] = {"actbench sweep: cannot execute ", argv[0], ": ", std::strerror(errno),
                           "\n"};
    for (const char* part : parts) {
      [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, part, std::strlen(part));
    }
    ::_exit(127);
  }
  return pid;
}

std::string exit_reason(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("worker killed by signal {} ({})", WTERMSIG(status),
                       strsignal(WTERMSIG(status)));
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return fmt::format("worker exited with code {}", WEXITSTATUS(status));
  return "";
}

// Removes the temporary files core::write_file_atomic names ".<file>.tmp-<pid>" in `dir`.
void remove_stale_temporaries(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos)
      std::filesystem::remove(entry.path(), ec);
  }
}

// Every leaf of a resolved config as dotted key -> JSON text ("train.epochs" -> "3").
void config_leaves(const nlohmann::json& node, const std::string& prefix,
                   std::map<std::string, std::string>& out) {
  if (node.is_object() && !node.empty()) {
    for (const auto& [key, value] : node.items())
      config_leaves(value, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    out[prefix] = node.is_string() ? node.get<std::string>() : node.dump();
  }
}

std::string listed_values(const std::set<std::string>& values) {
  std::vector<std::string> shown;
  for (const auto& v : values) {
    if (shown.size() == 4) {
      shown.push_back(fmt::format("... ({} values)", values.size()));
      break;
    }
    shown.push_back(core::readable_value(v));
  }
  return shown.empty() ? "(no value)" : core::join(shown, ", ");
}

// Why a plan cannot resume the sweep: which of its runs the plan drops or changes, as the config
// keys whose values those runs had and the plan has not ("train.epochs: 3 in the sweep, 5 in this
// plan"), so the user sees what to put back.
std::string describe_changed_plan(const std::filesystem::path& dir,
                                  const std::vector<const store::RunRow*>& left_out,
                                  const SweepPlan& plan) {
  std::map<std::string, std::set<std::string>> then, now;
  for (const store::RunRow* row : left_out) {
    std::map<std::string, std::string> leaves;
    config_leaves(nlohmann::json::parse(row->config_json, nullptr, false), "", leaves);
    for (auto& [key, value] : leaves) then[key].insert(value);
  }
  for (const auto& run : plan.runs) {
    std::map<std::string, std::string> leaves;
    config_leaves(nlohmann::json::parse(run.planned.config_json, nullptr, false), "", leaves);
    for (auto& [key, value] : leaves) now[key].insert(value);
  }
  std::vector<std::string> differences;
  for (const auto& [key, values] : then) {
    const auto& planned = now[key];
    if (std::all_of(values.begin(), values.end(),
                    [&](const std::string& v) { return planned.count(v) > 0; }))
      continue;
    std::set<std::string> gone;
    for (const auto& v : values)
      if (planned.count(v) == 0) gone.insert(v);
    differences.push_back(fmt::format("{}: {} in the sweep, {} in this plan", key,
                                      listed_values(gone), listed_values(planned)));
  }
  if (differences.size() > 4) {
    const size_t more = differences.size() - 4;
    differences.resize(4);
    differences.push_back(fmt::format("and {} more keys", more));
  }
  if (differences.empty()) {
    // Every value is still planned, in other combinations (a zip made a grid, or the reverse).
    std::vector<std::string> params;
    for (const auto& [key, value] : left_out.front()->params) params.push_back(key + "=" + value);
    differences.push_back(fmt::format("its run {} ({}) is not in this plan",
                                      left_out.front()->run_id, core::join(params, " ")));
  }
  return fmt::format(
      "the sweep in {} was planned differently: {} of its runs are not in this plan ({}). A "
      "sweep can grow (more seeds, more values of an axis) but its runs cannot change or go: plan "
      "it as before plus what you add, or use another --dir for a new sweep",
      dir.string(), left_out.size(), core::join(differences, "; "));
}

}  // namespace

// Holds an exclusive lock on <dir>/.lock for the sweep's lifetime; the kernel drops it if we die.
DirectoryLock::DirectoryLock(const std::filesystem::path& dir) {
  const auto file = dir / ".lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw Error(fmt::format("cannot create {}: {}", file.string(), std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw Error(
        fmt::format("another sweep is running in {} (it holds {}); wait for it, or use "
                    "another directory with --dir",
                    dir.string(), file.string()));
  }
}

DirectoryLock::~DirectoryLock() { ::close(fd_); }

int default_workers() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

PreparedSweep prepare_sweep_directory(const SweepPlan& plan, bool resume) {
  PreparedSweep prepared;
  const auto& dir = plan.directory;
  const auto db_file = dir / "results.db";
  if (std::filesystem::exists(db_file) && !resume) {
    throw Error(
        fmt::format("{} already holds a sweep; continue it (or grow it: more seeds, more values "
                    "of an axis) with --resume, or choose another directory with --dir",
                    dir.string()));
  }
  for (const auto& sub : {dir / "configs", dir / "runs"}) {
    std::error_code ec;
    std::filesystem::create_directories(sub, ec);
    if (ec) throw Error(fmt::format("cannot create {}: {}", sub.string(), ec.message()));
  }
  prepared.lock = std::make_unique<DirectoryLock>(dir);
  prepared.db = std::make_unique<store::ResultsDb>(db_file);
  store::ResultsDb& db = *prepared.db;
  std::vector<store::PlannedRun> planned;
  for (const auto& run : plan.runs) planned.push_back(run.planned);
  if (resume) {
    const std::vector<store::RunRow> earlier = db.runs();
    std::set<std::string> before, now;
    for (const auto& run : plan.runs) now.insert(run.planned.run_id);
    std::vector<const store::RunRow*> left_out;
    int64_t last_position = -1;
    for (const auto& row : earlier) {
      before.insert(row.run_id);
      last_position = std::max(last_position, row.position);
      if (now.count(row.run_id) == 0) left_out.push_back(&row);
    }
    // A plan may add runs (seeds, values of an axis) but not drop or change one the sweep holds.
    if (!left_out.empty()) throw Error(describe_changed_plan(dir, left_out, plan));
    // The added runs come after the sweep's own, in plan order: the earlier runs keep their
    // positions (and so their order in reports), and no two runs share one.
    if (!before.empty()) {
      for (auto& run : planned) {
        if (before.count(run.run_id) != 0) continue;
        run.position = ++last_position;
        ++prepared.added;
      }
    }
  }

  // A sweep killed while writing a config leaves its temporary file (".<id>.yaml.tmp-<pid>");
  // under the lock nobody else writes here, so any such file is stale.
  remove_stale_temporaries(dir / "configs");
  if (std::filesystem::exists(dir / "packs")) remove_stale_temporaries(dir / "packs");
  // Everything is resolved and written before the first run starts.
  for (const auto& run : plan.runs) {
    const core::ExitDeferral finish_this_file_first;
    core::write_file_atomic(dir / "configs" / (run.planned.run_id + ".yaml"),
                            config::to_yaml(run.prepared.spec));
  }
  db.set_info("name", plan.name);
  db.set_info("source_file", plan.source_file);
  db.set_info("base_config", plan.base_config);
  db.set_info("varied_keys", nlohmann::json(plan.varied_keys).dump());
  db.set_info("planned_runs", std::to_string(plan.runs.size()));
  db.plan(planned);

  std::map<std::string, core::RunStatus> status;
  for (const auto& row : db.runs()) status[row.run_id] = row.status;
  for (const auto& run : plan.runs) {
    const auto s = status.find(run.planned.run_id);
    if (s != status.end() && core::has_result(s->second)) continue;
    // A run planned before but without a result (interrupted, failed, killed) is run again.
    if (s != status.end() && s->second != core::RunStatus::kPending)
      spdlog::info("sweep: retrying run {} ({}): it ended {} before", run.planned.run_id, run.label,
                   core::to_string(s->second));
    prepared.todo.push_back(&run);
  }
  return prepared;
}

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options) {
  SweepOutcome outcome;
  outcome.directory = plan.directory;
  const auto& dir = plan.directory;
  PreparedSweep prepared = prepare_sweep_directory(plan, options.resume);
  store::ResultsDb& db = *prepared.db;
  const std::vector<const SweepRun*>& todo = prepared.todo;

  const int workers = options.workers > 0
                          ? options.workers
                          : (plan.workers > 0 ? static_cast<int>(plan.workers) : default_workers());
  // --threads, else the sweep file's `threads:`, else each run's own train.threads (which the
  // worker's --threads would otherwise overwrite without a word).
  const bool threads_from_configs = options.threads <= 0 && plan.threads <= 0;
  const int threads = options.threads > 0 ? options.threads
                                          : (plan.threads > 0 ? static_cast<int>(plan.threads) : 1);
  auto threads_of = [&](const SweepRun* run) {
    return threads_from_configs
               ? static_cast<int>(std::max<int64_t>(1, run->prepared.spec.train.threads))
               : threads;
  };
  int most_threads = threads;
  if (threads_from_configs)
    for (const SweepRun* run : todo) most_threads = std::max(most_threads, threads_of(run));
  const int64_t total = static_cast<int64_t>(plan.runs.size());
  const int64_t already = total - static_cast<int64_t>(todo.size());
  say(options.out,
      "sweep {}: {} runs planned{}, {} already finished, {} to run with {} worker{} x {}{} "
      "thread{}{}\n",
      plan.name, total,
      prepared.added > 0 ? fmt::format(" ({} added to the sweep)", prepared.added) : "", already,
      todo.size(), workers, workers == 1 ? "" : "s", most_threads != threads ? "up to " : "",
      most_threads, most_threads == 1 ? "" : "s",
      threads_from_configs && most_threads != threads ? " (train.threads)" : "");

  const PackPlan packs = plan_packs(todo, options.pack);
  if (options.pack > 1) say(options.out, "{}", describe_packs(packs));

  const auto start = Clock::now();
  std::map<pid_t, const SweepJob*> running;
  size_t next = 0;
  int64_t done = 0;
  auto counts = [&] { return db.status_counts(); };
  auto progress = [&] {
    const auto c = counts();
    auto get = [&](core::RunStatus k) { return c.count(k) ? c.at(k) : 0; };
    const int64_t finished = get(core::RunStatus::kCompleted) + get(core::RunStatus::kDiverged);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const int64_t left = total - finished - get(core::RunStatus::kFailed);
    const std::string eta = done > 0 ? format_duration(elapsed / done * left) : "?";
    say(options.out, "[sweep] {}/{} done ({} diverged), {} failed, elapsed {}, left ~{}\n",
        finished, total, get(core::RunStatus::kDiverged), get(core::RunStatus::kFailed),
        format_duration(elapsed), eta);
  };
  const std::string executable = options.executable.string();
  auto job_log = [&](const SweepJob& job) {
    return job.pack_id.empty() ? worker_log(dir / job.runs.front()->planned.directory)
                               : dir / "packs" / (job.pack_id + ".log");
  };

  while (next < packs.jobs.size() || !running.empty()) {
    while (!core::interrupt_requested() && next < packs.jobs.size() &&
           running.size() < static_cast<size_t>(workers)) {
      const SweepJob& job = packs.jobs[next++];
      // Whatever an interrupted attempt left is discarded: the run starts again from scratch.
      for (const SweepRun* run : job.runs) {
        std::filesystem::remove_all(dir / run->planned.directory);
        db.mark_running(run->planned.run_id);
      }
      std::vector<std::string> args{executable};
      if (job.pack_id.empty()) {
        const SweepRun* run = job.runs.front();
        args.insert(args.end(),
                    {"run", (dir / "configs" / (run->planned.run_id + ".yaml")).string(),
                     "--run-dir", (dir / run->planned.directory).string()});
      } else {
        std::vector<std::pair<std::filesystem::path, std::filesystem::path>> members;
        for (const SweepRun* run : job.runs)
          members.emplace_back(dir / "configs" / (run->planned.run_id + ".yaml"),
                               dir / run->planned.directory);
        std::filesystem::create_directories(dir / "packs");
        const auto file = dir / "packs" / (job.pack_id + ".json");
        {
          const core::ExitDeferral finish_this_file_first;
          experiment::write_pack_file(file, members);
        }
        args.insert(args.end(), {"run-pack", file.string(), "--pack-id", job.pack_id});
      }
      args.insert(args.end(),
                  {"--threads", std::to_string(threads_of(job.runs.front())), "--quiet"});
      const pid_t pid = spawn_worker(args, job_log(job).string());
      running[pid] = &job;
      if (job.pack_id.empty()) {
        spdlog::debug("sweep: worker {} started run {} ({})", pid, job.runs.front()->planned.run_id,
                      job.runs.front()->label);
      } else {
        spdlog::debug("sweep: worker {} started pack {} ({} runs)", pid, job.pack_id,
                      job.runs.size());
      }
      outcome.executed += static_cast<int64_t>(job.runs.size());
    }
    int wait_status = 0;
    const pid_t pid = ::waitpid(-1, &wait_status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const SweepJob& job = *it->second;
    running.erase(it);
    const std::string exit_failure = exit_reason(wait_status);
    spdlog::debug("sweep: worker {} ended: {}", pid,
                  exit_failure.empty() ? "exit 0" : exit_failure);
    for (const SweepRun* run : job.runs) {
      spdlog::debug("sweep: worker {} ended run {}: {}", pid, run->planned.run_id,
                    exit_failure.empty() ? "exit 0" : exit_failure);
      std::string failure = exit_failure;
      if (!failure.empty() &&
          !std::filesystem::exists(dir / run->planned.directory / "summary.json")) {
        const std::string why = last_log_line(job_log(job));
        // An empty log: the worker could not write its message (its log's disk is full).
        failure += why.empty()
                       ? fmt::format(" (its log {} holds no message)", job_log(job).string())
                       : ": " + why;
        say(options.out, "[sweep] run {} ({}) failed: {}\n", run->planned.run_id, run->label,
            failure);
      }
      db.record_finished(run->planned.run_id, dir / run->planned.directory, failure);
      ++done;
    }
    progress();
  }
  outcome.interrupted = core::interrupt_requested();
  outcome.status_counts = counts();
  return outcome;
}

}  // namespace actbench::sweep
