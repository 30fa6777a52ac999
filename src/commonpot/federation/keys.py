"""RSA keys of the instance and its communities: 0600 files in the data dir, never the DB."""

from __future__ import annotations

import os
import re
import threading
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from commonpot.federation.signatures import load_private, new_private_key, private_pem, public_pem

INSTANCE = "_instance"
_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
_CREATING = threading.Lock()


def key_dir(data_dir: Path) -> Path:
    """Where the federation keys live."""
    return data_dir / "federation_keys"


@lru_cache(maxsize=256)
def _load(path: str, _mtime: float) -> rsa.RSAPrivateKey:
    return load_private(Path(path).read_bytes())


def private_key(data_dir: Path, name: str) -> rsa.RSAPrivateKey:
    """The private key of a community (by slug) or of the instance, created on first use."""
    if not _SAFE.match(name):
        raise ValueError("bad key name")
    folder = key_dir(data_dir)
    path = folder / f"{name}.pem"
    if not path.exists():
        with _CREATING:  # delivery threads may all ask for a new key at once
            if not path.exists():
                folder.mkdir(parents=True, exist_ok=True)
                folder.chmod(0o700)
                tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(private_pem(new_private_key()))
                if not path.exists():  # another process may have won; keep its key
                    tmp.replace(path)
                else:
                    tmp.unlink()
    return _load(str(path.resolve()), path.stat().st_mtime)


def public_key_pem(data_dir: Path, name: str) -> str:
    """The PEM public key published in the actor document."""
    return _public(data_dir, name)


@lru_cache(maxsize=256)
def _public_cached(path: str, _mtime: float) -> str:
    return public_pem(load_private(Path(path).read_bytes()))


def _public(data_dir: Path, name: str) -> str:
    private_key(data_dir, name)
    path = key_dir(data_dir) / f"{name}.pem"
    return _public_cached(str(path.resolve()), path.stat().st_mtime)
