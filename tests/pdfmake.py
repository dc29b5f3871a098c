"""A tiny PDF writer for geometry tests: text at positions, ruling lines, tables, images.

Chinese text uses the non-embedded STSong-Light with the UniGB-UCS2-H CMap (what many
report generators write), so the files stay a few kB and pdfium maps them back to
Unicode.  Coordinates are points from the bottom-left corner, as in PDF.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

A4 = (595.0, 842.0)


def _hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text)


@dataclass
class Page:
    ops: list[str] = field(default_factory=list)
    image: bool = False

    def text(self, x: float, y: float, text: str, size: float = 10) -> "Page":
        self.ops.append(f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td <{_hex(text)}> Tj ET")
        return self

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.5) -> "Page":
        self.ops.append(f"{width} w {x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l S")
        return self

    def bar(self, x: float, y: float, w: float, h: float) -> "Page":
        """A filled rectangle (thin ones are how some writers draw borders)."""
        self.ops.append(f"{x:.2f} {y:.2f} {w:.2f} {h:.2f} re f")
        return self

    def draw_image(self) -> "Page":
        self.image = True
        self.ops.append("q 400 0 0 500 100 200 cm /Im1 Do Q")
        return self

    def table(
        self,
        x: float,
        top: float,
        widths: list[float],
        rows: list[list[str | None]],
        height: float = 20,
        size: float = 9,
        rules: bool = True,
        close: bool = True,
    ) -> float:
        """Cells row by row (None = covered by the cell to its left, "^" = by the cell
        above); returns the bottom y.

        A cell's text may hold "\\n" for wrapped lines.  Rules are left out where a cell
        spans, so the geometry shows the merge.
        """
        xs = [x]
        for w in widths:
            xs.append(xs[-1] + w)
        y = top
        for row in rows:
            lines = max(len((c or "").split("\n")) for c in row)
            h = max(height, lines * (size + 3) + 6)
            if rules:
                for c, cell in enumerate(row):
                    if cell != "^":
                        self.line(xs[c], y, xs[c + 1], y)
                for c, cell in enumerate(row + [""]):
                    if cell is not None:
                        self.line(xs[c], y, xs[c], y - h)
            for c, cell in enumerate(row):
                for k, part in enumerate((cell or "").replace("^", "").split("\n")):
                    if part:
                        self.text(xs[c] + 2, y - 4 - size - k * (size + 3), part, size)
            y -= h
        if rules and close:  # WPS leaves the bottom line out when the page break cuts the table
            self.line(xs[0], y, xs[-1], y)
        return y


def build(pages: list[Page], size: tuple[float, float] = A4) -> bytes:
    """Write the pages as a PDF (Flate-compressed contents)."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")
    pages_id = add(b"")
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >> /DW 1000 >>] >>"
    )
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream"
    )
    kids = []
    for page in pages:
        content = zlib.compress("\n".join(page.ops).encode("ascii"))
        c = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream")
        res = b"<< /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >>" % (font, image)
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Contents %d 0 R "
                b"/Resources %s >>" % (pages_id, size[0], size[1], c, res)
            )
        )
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(out)
