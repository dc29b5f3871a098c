"""The error every reader raises for input it cannot read: a code and a clear message."""


class ExtractError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


_DAMAGED = {
    "pdf": ("bad_pdf", "damaged PDF: a page or its text cannot be read"),
    "docx": ("bad_docx", "damaged DOCX: its zip data or XML cannot be read"),
    "doc": ("bad_doc", "damaged DOC: LibreOffice's output cannot be read"),
    "wps": ("bad_doc", "damaged WPS: LibreOffice's output cannot be read"),
    "html": ("bad_html", "damaged page: the HTML cannot be read"),
    "txt": ("bad_text", "damaged text file"),
}


def damaged(fmt: str | None, exc: BaseException) -> ExtractError:
    """A clear error for a library failing on damaged bytes; the library's words only as a detail."""
    code, message = _DAMAGED.get(fmt or "", ("unreadable", "the file cannot be read"))
    detail = " ".join(str(exc).split())[:120] or exc.__class__.__name__
    return ExtractError(code, f"{message} ({detail})")
