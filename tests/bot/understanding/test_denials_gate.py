"""The extraction gate on the held-out denial cases (tests/nlu/heldout_denials.yml) passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_denials_pass_the_extraction_gate() -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "extraction_gate.py"),
                           str(REPO / "tests" / "nlu" / "heldout_denials.yml")],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
