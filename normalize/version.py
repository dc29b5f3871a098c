"""NORMALIZER_VERSION: changes whenever the code or knowledge that maps bytes to rows changes.

Why a content hash and not a hand-kept number: a forgotten bump would leave reports mapped
by old rules beside new ones.  Hashing every .py/.yaml/.csv file under normalize/ means
any change to readers, mapping or templates re-normalises the archive on the next run,
and an unchanged normaliser only normalises documents it has not seen.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_ROOT = Path(__file__).resolve().parent
_SUFFIXES = {".py", ".yaml", ".yml", ".csv"}


def normalizer_version(root: Path = _ROOT) -> str:
    """sha256 (first 12 hex digits) over the relative path and bytes of every mapping file."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in _SUFFIXES and "__pycache__" not in p.parts):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


NORMALIZER_VERSION = normalizer_version()
