#!/usr/bin/env python3
"""Where a turn's time goes in the running Rasa server: py-spy samples it under load.

    python scripts/profile_turns.py [--seconds 40] [--concurrency 4] [--out results/turn-profile.txt]

Starts our assistant (default profile: one Rasa process, one action server, SQLite), plays the
bench's French conversations (bench_serving.OURS) and samples the Rasa process with py-spy
(`pip install py-spy`; not a project dependency). Prints the share of samples in which each
function is on the stack (inclusive), for the functions that matter, and writes the collapsed stacks.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--out", default=str(REPO / "results" / "turn-profile.txt"))
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        sys.exit("py-spy est introuvable : .venv/bin/pip install py-spy")
    import bench_serving

    secrets_env = {n: secrets.token_hex(24) for n in ("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "CAP_SESSION_SECRET")}
    raw = Path(args.out).with_suffix(".raw")
    raw.parent.mkdir(parents=True, exist_ok=True)
    with bench_serving.bot_cluster("ours", "default", bench_serving.our_model(), secrets_env, 1, 1, None) as running:
        token = secrets_env["RASA_AUTH_TOKEN"]
        bench_serving.load(running.url, token, bench_serving.OURS, conversations=4, concurrency=2)  # warm-up
        stop = threading.Event()
        turns = []

        def drive() -> None:
            while not stop.is_set():
                turns.append(bench_serving.load(running.url, token, bench_serving.OURS, conversations=args.concurrency,
                                                concurrency=args.concurrency)["turns"])

        thread = threading.Thread(target=drive)
        thread.start()
        subprocess.run([py_spy, "record", "--pid", str(running.rasa[0].pid), "--duration", str(args.seconds),
                        "--rate", "50", "--format", "raw", "--output", str(raw), "--nonblocking"], check=True,
                       capture_output=True)
        stop.set()
        thread.join()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        for frame in set(stack.split(";")):
            inclusive[frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1]] += n
    lines = [f"{sum(turns)} turns in {args.seconds} s sampled; {total} samples", ""]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(70)]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
