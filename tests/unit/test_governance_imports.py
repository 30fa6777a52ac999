"""Counting a small ballot file loads no numpy (the vectorised engines import it when used)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BURLINGTON = Path(__file__).resolve().parents[1] / "data" / "preflib" / "00005-00000002.toi"

PROGRAM = """
import sys
from commonpot.governance import ballot_profiles, recount, transfer
from commonpot.parsing import read_text
profile = ballot_profiles.parse_preflib(read_text(sys.argv[1]))
result = transfer.irv(profile)
print(result.winners[0], "numpy" in sys.modules)
"""


def test_small_irv_count_loads_no_numpy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(BURLINGTON)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["Bob", "Kiss", "False"]
