#!/usr/bin/env python3
"""Where a Rasa process's memory and a turn's time go — the profile behind docs/deployment.md.

    python scripts/profile_serving.py [--model models/cap-….tar.gz] [--turns 60] [--json out.json]

Memory (one process, as `rasa run` loads it): resident memory after the imports (TensorFlow,
Rasa), after each node of the model's graph is loaded (featurizers, DIET, policies, our
FactExtractor), after the first messages (what loads lazily: communes, rules, the knowledge base),
and the Python allocations still held, by package (tracemalloc, started before the model loads;
TensorFlow's own buffers are not Python allocations and show only in the resident figures).
Time: cProfile over the NLU parse of our French conversations (`bench_serving.OURS`) — the part of
a turn done in the Rasa process before the policies and the action server — grouped by component.
Works on any model (`--model var/bench/models/stock-….tar.gz` for the stock bot).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def package_of(filename: str) -> str:
    """site-packages/<pkg>/… → pkg; the repository's own files → their top folder."""
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if path.startswith(str(REPO)):
        return "repo:" + path[len(str(REPO)) + 1:].split("/", 1)[0]
    return "python" if "/lib/python" in path else path.rsplit("/", 1)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model")
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--json")
    parser.add_argument("--messages", choices=["ours", "stock"], default=None)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    report: dict[str, Any] = {"memory_mib": {}, "nodes_mib": {}}
    mem = report["memory_mib"]
    mem["python"] = round(rss_mib())
    import tensorflow  # noqa: F401

    mem["after import tensorflow"] = round(rss_mib())
    from rasa.core.agent import Agent
    from rasa.engine.graph import GraphNode

    mem["after import rasa"] = round(rss_mib())
    import bench_serving

    model = args.model or bench_serving.our_model()
    loads: dict[str, float] = {}
    original = GraphNode._load_component

    def timed_load(self: Any, **kwargs: Any) -> None:
        before = rss_mib()
        original(self, **kwargs)
        loads[f"{self._node_name} ({self._component_class.__name__})"] = rss_mib() - before

    GraphNode._load_component = timed_load  # type: ignore[method-assign]
    tracemalloc.start(1)
    start = time.perf_counter()
    agent = Agent.load(str(model))
    report["load_s"] = round(time.perf_counter() - start, 1)
    mem["after model load"] = round(rss_mib())
    report["nodes_mib"] = {k: round(v, 1) for k, v in sorted(loads.items(), key=lambda kv: -kv[1]) if abs(v) >= 1}

    stock = args.messages == "stock" or (args.messages is None and "stock" in Path(model).name)
    scripts = bench_serving.STOCK if stock else bench_serving.OURS
    messages = [m for script in scripts for m in script]

    async def parse(n: int) -> None:
        for i in range(n):
            await agent.parse_message(messages[i % len(messages)])

    asyncio.run(parse(len(messages)))
    mem["after the first messages"] = round(rss_mib())
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    by_package: dict[str, int] = defaultdict(int)
    for stat in snapshot.statistics("filename"):
        by_package[package_of(stat.traceback[0].filename)] += stat.size
    report["python_allocations_mib"] = {k: round(v / 2**20, 1) for k, v in
                                        sorted(by_package.items(), key=lambda kv: -kv[1])[:12]}

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    asyncio.run(parse(args.turns))
    profiler.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    report["nlu_parse_ms_mean"] = round(wall / args.turns * 1000, 1)
    # cumulative time of each graph node's component call (GraphNode.__call__ → component method)
    per_node: dict[str, float] = defaultdict(float)
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if function in ("process", "process_training_data") or function.startswith("predict"):
            per_node[f"{package_of(filename)}:{Path(filename).stem}.{function}"] += cumulative
    report["nlu_time_by_component_ms_per_turn"] = {
        k: round(v / args.turns * 1000, 1) for k, v in sorted(per_node.items(), key=lambda kv: -kv[1])[:12]
        if v / args.turns * 1000 >= 0.2}
    top = []
    for (filename, line, function), (_, _, tottime, cumulative, _) in sorted(
            stats.stats.items(), key=lambda kv: -kv[1][2])[:15]:  # type: ignore[attr-defined]
        top.append({"function": f"{package_of(filename)}:{Path(filename).name}:{line}:{function}",
                    "self_ms_per_turn": round(tottime / args.turns * 1000, 2),
                    "cumulative_ms_per_turn": round(cumulative / args.turns * 1000, 2)})
    report["hottest_functions"] = top
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
