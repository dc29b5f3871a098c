"""Legacy Word (DOC) and WPS → DOCX with LibreOffice headless, then the DOCX reader."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..document import Document
from .docx import read_docx
from .errors import ExtractError

TIMEOUT_S = 120
INSTALL_HINT = ("LibreOffice is not installed; install it to read DOC/WPS files "
                "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui)")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str = "docx") -> bytes:
    """Convert with LibreOffice in a private profile, under a timeout."""
    exe = soffice()
    if exe is None:
        raise ExtractError("needs_libreoffice", INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="ogi-lo-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(Path(tmp) / "out"), str(src)]
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=TIMEOUT_S,
                           check=False, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired as exc:
            raise ExtractError("convert_timeout", f"LibreOffice did not finish within {TIMEOUT_S}s") from exc
        out = list((Path(tmp) / "out").glob(f"*.{target}"))
        if not out:
            raise ExtractError("convert_failed", f"LibreOffice could not convert the {suffix} file")
        return out[0].read_bytes()


def read_legacy_word(data: bytes, fmt: str) -> Document:
    doc = read_docx(convert(data, "." + fmt))
    doc.format = fmt
    return doc
