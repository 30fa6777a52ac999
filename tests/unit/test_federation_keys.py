"""Federation keys: one 0600 file per community, created once even when threads race."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from commonpot.federation import keys


def test_racing_threads_get_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda _: keys.public_key_pem(tmp_path, "alpha"), range(16)))
    assert len(set(found)) == 1
    files = sorted(p.name for p in keys.key_dir(tmp_path).iterdir())
    assert files == ["alpha.pem"]
    mode = stat.S_IMODE((keys.key_dir(tmp_path) / "alpha.pem").stat().st_mode)
    assert mode == 0o600
