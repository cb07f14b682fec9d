// What a person sees while a run trains: one table row per epoch (loss, train and test accuracy,
// and per hidden layer the dead-unit fraction and weight-gradient norm), and a progress bar on
// stderr while an epoch runs when stderr is a terminal (or when asked).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "train/trainer.hpp"

namespace actbench::train {

class ConsoleReporter : public TrainingObserver {
 public:
  // progress: "auto" (only on a terminal), "always" or "never".
  ConsoleReporter(std::vector<std::string> layer_names, const std::string& progress,
                  std::FILE* out = stdout);
  void on_record(const Record& record) override;
  void on_progress(const Progress& progress) override;

 private:
  void clear_progress();
  std::vector<std::string> layer_names_;
  std::FILE* out_;
  bool show_progress_ = false;
  bool progress_visible_ = false;
  bool header_printed_ = false;
};

}  // namespace actbench::train
