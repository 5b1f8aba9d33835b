"""A short crash trial: a busy worker process is SIGKILLed at random moments, repeatedly.

The long version is `make soak` (50 trials).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TRIALS = Path(__file__).resolve().parents[2] / "bench" / "crash_trials.py"


def test_sigkill_at_random_moments_loses_and_doubles_nothing() -> None:
    proc = subprocess.run(
        [sys.executable, str(TRIALS), "--trials", "6", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 SIGKILLs" in proc.stdout
    assert ", 0 violations" in proc.stdout
