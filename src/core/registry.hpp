// The registry template behind activations, initialisers, datasets and optimisers: each component
// registers itself from its own .cpp (a one-file change to add one), and an unknown name is a
// located ConfigError listing the known names with a did-you-mean, never a silent fallback.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace actbench::core {

// Entry needs: `std::string name; std::vector<std::string> aliases;` and `static constexpr const
// char* kKind` (e.g. "activation"), used in messages.
template <typename Entry>
class Registry {
 public:
  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  // Returns true so that a namespace-scope `const bool registered = ...add(...)` runs at start-up.
  bool add(Entry entry) {
    for (const auto& name : all_names_of(entry)) {
      if (find(name) != nullptr) {
        throw std::logic_error(std::string("duplicate ") + Entry::kKind + " registration: " + name);
      }
    }
    entries_.push_back(std::make_unique<Entry>(std::move(entry)));
    return true;
  }

  const Entry* find(std::string_view name) const {
    for (const auto& entry : entries_) {
      if (entry->name == name) return entry.get();
      for (const auto& alias : entry->aliases)
        if (alias == name) return entry.get();
    }
    return nullptr;
  }

  const Entry& get(std::string_view name, const SourceLocation& where) const {
    if (const Entry* entry = find(name)) return *entry;
    std::vector<std::string> candidates;
    for (const auto& entry : entries_)
      for (const auto& n : all_names_of(*entry)) candidates.push_back(n);
    throw ConfigError(where,
                      std::string("unknown ") + Entry::kKind + " '" + std::string(name) + "'" +
                          did_you_mean(name, candidates),
                      std::string("known ") + Entry::kKind + "s: " + join(names()));
  }

  // Entries sorted by name, for listings.
  std::vector<const Entry*> entries() const {
    std::vector<const Entry*> out;
    for (const auto& entry : entries_) out.push_back(entry.get());
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
    return out;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Entry* entry : entries()) out.push_back(entry->name);
    return out;
  }

 private:
  static std::vector<std::string> all_names_of(const Entry& entry) {
    std::vector<std::string> names{entry.name};
    names.insert(names.end(), entry.aliases.begin(), entry.aliases.end());
    return names;
  }

  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace actbench::core
