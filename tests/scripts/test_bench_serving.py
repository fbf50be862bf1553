"""`make bench` serving figures: percentiles, summaries and the report's verdicts (no server started)."""

from __future__ import annotations

import math
import sys

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import bench_serving  # noqa: E402


def test_percentile_interpolates_and_handles_edges():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert bench_serving.percentile(values, 50) == pytest.approx(50.5)
    assert bench_serving.percentile(values, 95) == pytest.approx(95.05)
    assert bench_serving.percentile([7.0], 95) == 7.0
    assert bench_serving.percentile(list(reversed(values)), 0) == 1.0  # order of the samples does not matter
    assert math.isnan(bench_serving.percentile([], 50))


def test_summary_counts_errors_apart_from_latencies():
    samples = [(0.1, True)] * 18 + [(0.3, True), (30.0, False), (0.2, True)]
    summary = bench_serving.summarize(samples, wall=2.0)
    assert summary["turns"] == 21 and summary["errors"] == 1
    assert summary["throughput"] == 10.0  # 20 answered turns in 2 s
    assert summary["max_ms"] == 300.0  # the failed 30 s turn is not a latency
    assert summary["p50_ms"] == 100.0


def _profile(ours_thr: float, ours_p95: float, ours_mem: int, errors: int = 0) -> dict:
    side = {"turns": 250, "errors": 0, "p50_ms": 50.0, "p95_ms": 100.0, "max_ms": 120.0, "throughput": 20.0}
    return {"description": "test", "sequential": {"stock": side, "ours": {**side, "p95_ms": ours_p95}},
            "concurrent": {"50": {"stock": side, "ours": {**side, "throughput": ours_thr, "errors": errors}}},
            "memory_mib": {"stock": {"rasa_each": 1000, "rasa_peak": 1100, "total": 1000},
                           "ours": {"rasa_each": ours_mem, "rasa_peak": ours_mem, "actions_each": 200,
                                    "total": ours_mem + 200}}}


def test_verdicts_follow_the_issue_targets():
    met = bench_serving.verdicts(_profile(ours_thr=21.0, ours_p95=125.0, ours_mem=1250))
    assert [m for *_, m in met] == [True, True, True, True]
    missed = bench_serving.verdicts(_profile(ours_thr=15.0, ours_p95=140.0, ours_mem=1400, errors=2))
    assert [m for *_, m in missed] == [False, False, False, False]
    assert [v for _, v, *_ in missed] == [2, 0.75, 1.4, 1.4]


def test_report_shows_ratios_and_a_missed_target():
    report = bench_serving.format_report({"profiles": {"production": _profile(15.0, 140.0, 1400)}})
    assert "| sequential turn p95 (ms) | 100.0 | 140.0 | 1.4 |" in report
    assert "| 50 at once: turns/s | 20.0 | 15.0 | 0.75 |" in report
    assert "| action server RSS (MiB, each) | — | 200 |" in report  # the stock bot has no action server
    assert "| Rasa server memory ours/stock (per process) | 1.4 | ≤ 1.3 | NO |" in report
