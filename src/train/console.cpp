// Console table and progress bar for a training run.
#include "train/console.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace actbench::train {

ConsoleReporter::ConsoleReporter(std::vector<std::string> layer_names, const std::string& progress,
                                 std::FILE* out)
    : layer_names_(std::move(layer_names)), out_(out) {
  show_progress_ = progress == "always" || (progress == "auto" && ::isatty(STDERR_FILENO) == 1);
}

namespace {
std::string cell(double value, const char* format) {
  return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : "-";
}
}  // namespace

void ConsoleReporter::clear_progress() {
  if (progress_visible_) {
    std::fputs("\r\033[K", stderr);
    progress_visible_ = false;
  }
}

void ConsoleReporter::on_record(const Record& record) {
  if (!record.end_of_epoch) return;  // step records go to metrics.csv only
  clear_progress();
  if (!header_printed_) {
    std::string header = fmt::format("{:>5} {:>10} {:>9} {:>9} {:>8} {:>7}", "epoch", "train_loss",
                                     "train_acc", "test_loss", "test_acc", "time");
    for (const auto& name : layer_names_)
      header += fmt::format(" | {:>10} {:>9}", name + " dead", "|grad|");
    fmt::print(out_, "{}\n", header);
    header_printed_ = true;
  }
  std::string line = fmt::format(
      "{:>5} {:>10} {:>9} {:>9} {:>8} {:>6.1f}s", record.epoch, cell(record.train_loss, "{:.4f}"),
      cell(record.train_accuracy, "{:.4f}"), cell(record.test_loss, "{:.4f}"),
      cell(record.test_accuracy, "{:.4f}"), record.seconds);
  for (size_t i = 0; i < record.layers.size(); ++i) {
    const auto& layer = record.layers[i];
    const std::string grad =
        record.epoch == 0 ? "-" : fmt::format("{:.3e}", layer.weight_grad.mean);
    line += fmt::format(" | {:>10} {:>9}",
                        fmt::format("{:.1f}%", 100.0 * layer.probe.dead_fraction), grad);
  }
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

void ConsoleReporter::on_progress(const Progress& progress) {
  if (!show_progress_) return;
  constexpr int kWidth = 30;
  const int filled =
      static_cast<int>(kWidth * progress.batch / std::max<int64_t>(1, progress.batches));
  fmt::print(stderr, "\r\033[Kepoch {}/{} [{}{}] {}/{} loss {:.4f} {:.0f} samples/s",
             progress.epoch, progress.epochs, std::string(filled, '#'),
             std::string(kWidth - filled, '.'), progress.batch, progress.batches, progress.loss,
             progress.samples_per_second);
  std::fflush(stderr);
  progress_visible_ = true;
}

}  // namespace actbench::train
