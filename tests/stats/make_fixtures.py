#!/usr/bin/env python3
"""Independent values for tests/stats/statistics_test.cpp, computed with SciPy and NumPy.

Writes tests/stats/fixtures.json (committed, so the C++ tests need neither Python nor SciPy).
Regenerate with: python3 tests/stats/make_fixtures.py > tests/stats/fixtures.json
(Debian: apt-get install python3-scipy; run it with /usr/bin/python3). Hedges' g and Holm have no SciPy function in Debian
bookworm's SciPy 1.10; they are written out here from their textbook definitions, loop by loop,
as a second implementation independent of the C++ one.
"""
import json
import math

import numpy as np
import scipy
from scipy import special, stats

CONFIDENCE = 0.95

# Pairs of samples like a report's per-seed accuracies: small n, ties, unequal sizes and variances.
SAMPLES = [
    ("three_seeds", [0.9812, 0.9790, 0.9825], [0.9771, 0.9802, 0.9760]),
    ("unequal_sizes", [0.71, 0.74, 0.69, 0.75, 0.72, 0.70, 0.73], [0.66, 0.71, 0.64, 0.69]),
    ("ties", [1.0, 2.0, 2.0, 3.0, 3.0], [2.0, 3.0, 3.0, 4.0]),
    ("large_variance_ratio", [10.1, 9.8, 10.3, 10.0, 9.9, 10.2], [7.0, 13.5, 9.0, 12.2, 6.1]),
    ("twenty_three", list(np.round(np.linspace(0.80, 0.90, 23) ** 1.3, 6)),
     list(np.round(np.linspace(0.78, 0.91, 23) ** 1.1, 6))),
]


def hedges_g(x, y):
    nx, ny = len(x), len(y)
    m = nx + ny - 2
    sx2 = sum((v - sum(x) / nx) ** 2 for v in x) / (nx - 1)
    sy2 = sum((v - sum(y) / ny) ** 2 for v in y) / (ny - 1)
    pooled = math.sqrt(((nx - 1) * sx2 + (ny - 1) * sy2) / m)
    correction = special.gamma(m / 2) / (math.sqrt(m / 2) * special.gamma((m - 1) / 2))
    return correction * (sum(x) / nx - sum(y) / ny) / pooled


def holm(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    for rank, i in enumerate(order):
        adjusted[i] = min(1.0, max((m - j) * p[order[j]] for j in range(rank + 1)))
    return adjusted


cases = []
for name, x, y in SAMPLES:
    x, y = np.array(x, dtype=float), np.array(y, dtype=float)
    welch = stats.ttest_ind(x, y, equal_var=False)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    diff = x.mean() - y.mean()
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, df) * math.sqrt(vx + vy)
    summary = {}
    for label, v in (("x", x), ("y", y)):
        low, high = stats.t.interval(CONFIDENCE, len(v) - 1, loc=v.mean(), scale=stats.sem(v))
        summary[label] = {"mean": v.mean(), "std": v.std(ddof=1), "ci_low": low, "ci_high": high,
                          "median": float(np.median(v)), "min": v.min(), "max": v.max(),
                          "iqm": stats.trim_mean(v, 0.25)}
    cases.append({
        "name": name, "x": list(x), "y": list(y), "summary": summary,
        "welch_t": welch.statistic, "welch_p": welch.pvalue, "welch_df": df,
        "welch_ci_low": diff - half, "welch_ci_high": diff + half,
        "mann_whitney_u": stats.mannwhitneyu(x, y, alternative="two-sided").statistic,
        "hedges_g": hedges_g(list(x), list(y)),
    })

quantiles = [{"df": df, "p": p, "t": stats.t.ppf(p, df)}
             for df in (1, 2, 4.5, 9, 22, 100) for p in (0.025, 0.9, 0.975, 0.995)]
holm_inputs = [[0.01, 0.04, 0.03, 0.005], [0.2, 0.001, 0.04, 0.04, 0.5, 0.012], [0.6, 0.7]]
pooled = [0.3, 0.9, 0.1, 0.5, 0.7, 0.2, 0.8, 0.4, 0.6, 0.05, 0.95]
print(json.dumps({
    "generator": f"tests/stats/make_fixtures.py, SciPy {scipy.__version__}, NumPy {np.__version__}",
    "confidence": CONFIDENCE, "cases": cases, "t_quantiles": quantiles,
    "holm": [{"p": p, "adjusted": holm(p)} for p in holm_inputs],
    "iqm": [{"values": pooled[:n], "iqm": stats.trim_mean(pooled[:n], 0.25)} for n in range(1, 12)],
    "percentiles": [{"values": pooled, "q": q, "value": float(np.percentile(pooled, 100 * q))}
                    for q in (0.0, 0.025, 0.3, 0.5, 0.975, 1.0)],
}, indent=1, default=float))
