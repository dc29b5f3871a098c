"""Legacy Word (DOC) and WPS → DOCX with LibreOffice headless, then the DOCX reader.

LibreOffice runs in its own process group with a private profile in a temporary folder:
on timeout the whole group is killed (soffice starts soffice.bin, which a plain kill
would orphan) and the folder removed.  TIMEOUT_S stays below the per-file limit of
`ogi normalize` (ogi/workers.py), so a slow conversion is reported as a conversion
timeout rather than as a killed worker.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from ..document import Document
from .docx import read_docx
from .errors import ExtractError

TIMEOUT_S = 90
# Set by a worker process: told the process group of a running LibreOffice (0 when none),
# so the parent can kill it too if it has to kill the worker.
GROUP_HOOK: Callable[[int], None] | None = None
MEMORY_BYTES = 2 * 1024**3  # LibreOffice's own address-space limit (it needs ~1 GiB to start)


def _limit_memory() -> None:
    """In the LibreOffice child: its own memory limit, not the (smaller) one of a worker."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = MEMORY_BYTES if hard == resource.RLIM_INFINITY else min(MEMORY_BYTES, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


INSTALL_HINT = (
    "LibreOffice is not installed; install it to read DOC/WPS files "
    "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui)"
)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str = "docx") -> bytes:
    """Convert with LibreOffice in a private profile, under a timeout."""
    exe = soffice()
    if exe is None:
        raise ExtractError("needs_libreoffice", INSTALL_HINT)
    tmp = tempfile.mkdtemp(prefix="ogi-lo-")
    try:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(Path(tmp) / "out"),
            str(src),
        ]
        _run(cmd, {**os.environ, "HOME": tmp})
        out = list((Path(tmp) / "out").glob(f"*.{target}"))
        if not out:
            raise ExtractError("convert_failed", f"LibreOffice could not convert the {suffix} file")
        return out[0].read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    """Run LibreOffice in a new process group; on timeout kill the whole group."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
        preexec_fn=_limit_memory,
    )
    if GROUP_HOOK:
        GROUP_HOOK(proc.pid)
    try:
        proc.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise ExtractError("convert_timeout", f"LibreOffice did not finish within {TIMEOUT_S}s") from exc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice.bin and helpers, even after a clean exit
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        if GROUP_HOOK:
            GROUP_HOOK(0)


def read_legacy_word(data: bytes, fmt: str) -> Document:
    doc = read_docx(convert(data, "." + fmt))
    doc.format = fmt
    return doc
