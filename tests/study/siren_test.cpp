// The SIREN study's decide layer fed made-up numbers: each claim's verdict follows its numbers.
#include "study/siren.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "study/claims.hpp"

namespace actbench::study::siren_tests {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

SirenSummary siren(double arg_lo, double arg_hi, double xavier_w30_last, double siren_psnr) {
  SirenSummary s;
  s.depth = 10;
  s.zero_bias_arg_lo = arg_lo;
  s.zero_bias_arg_hi = arg_hi;
  s.uniform_bias_arg_lo = arg_lo;
  s.uniform_bias_arg_hi = arg_hi;
  s.zero_bias_post_std = 0.63;
  s.xavier_w30_last_arg_std = xavier_w30_last;
  s.xavier_w1_last_arg_std = 0.1;
  s.siren_w1_first_arg_std = 0.5;
  s.siren_w1_last_arg_std = 1e-3;
  s.siren_psnr = siren_psnr;
  s.relu_psnr = 15.0;
  s.tanh_psnr = 13.0;
  return s;
}

TEST(SirenDecide, EachVerdictFollowsItsNumbers) {
  const auto good = decide_siren(siren(0.98, 1.02, 21.0, 60.0));
  const auto mid = decide_siren(siren(0.86, 0.92, 1.0, 20.0));
  const auto bad = decide_siren(siren(0.4, 1.0, 1.0, 15.0));
  EXPECT_EQ(good[0].verdict, Verdict::kAgrees);
  EXPECT_EQ(bad[0].verdict, Verdict::kDoesNotAgree);
  EXPECT_EQ(good[1].verdict, Verdict::kAgrees);
  EXPECT_EQ(mid[1].verdict, Verdict::kPartly);  // 0.89: the fixed point below 1
  EXPECT_TRUE(contains(mid[1].sentence, "near 0.89")) << mid[1].sentence;
  EXPECT_EQ(good[2].verdict, Verdict::kAgrees);
  EXPECT_EQ(mid[2].verdict, Verdict::kPartly);  // two of three
  EXPECT_EQ(good[3].verdict, Verdict::kAgrees);
  EXPECT_EQ(mid[3].verdict, Verdict::kPartly);
  EXPECT_EQ(bad[3].verdict, Verdict::kDoesNotAgree);
  EXPECT_TRUE(contains(good[3].sentence, "45.0 dB above")) << good[3].sentence;
  EXPECT_TRUE(contains(bad[3].sentence, "not ahead")) << bad[3].sentence;
}

}  // namespace
}  // namespace actbench::study::siren_tests
