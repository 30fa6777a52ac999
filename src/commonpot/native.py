"""Our own C libraries (`scripts/build-native.sh`), loaded with ctypes: no Python headers.

Each is compiled by `make setup` beside the module that calls it, under a file name no
import can take for a module. A library that is absent (no C compiler) loads as None, and
its caller takes its slower Python (or OR-Tools) path.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# function name -> (its result type, its argument types), as ctypes wants them
Signatures = Mapping[str, tuple[Any, Sequence[Any]]]


def load(path: Path, signatures: Signatures) -> ctypes.CDLL | None:
    """The library at `path` with its functions' types declared, or None when not built."""
    if not path.is_file():
        return None
    lib = ctypes.CDLL(str(path))
    for name, (result, arguments) in signatures.items():
        function = getattr(lib, name)
        function.restype = result
        function.argtypes = list(arguments)
    return lib
