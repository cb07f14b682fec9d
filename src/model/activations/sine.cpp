// The sine sin(omega_0 * x) of SIREN (Sitzmann et al. 2020): periodic units for implicit neural
// representations, which only train with the matching `siren` initialiser.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

ACTBENCH_REGISTER_ACTIVATION(sine) {
  ActivationEntry entry;
  entry.name = "sine";
  entry.description =
      "sin(omega_0 * x), SIREN's periodic unit; pair with init siren (Sitzmann et al. 2020)";
  // The `siren` initialiser reads omega_0 from here, so keep the name in step with it.
  entry.params = {core::ParamSpec::positive(
      "omega_0", 30.0, "frequency factor; the siren initialiser scales weights by 1/omega_0")};
  entry.gain = [](const core::ParamValues&) { return 1.0; };
  entry.gain_source = "SIREN uses its own init; 1 for Xavier";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    const double omega_0 = p.number("omega_0");
    return make_elementwise([omega_0](const torch::Tensor& x) { return torch::sin(omega_0 * x); });
  };
  return entry;
}

}  // namespace actbench::model
