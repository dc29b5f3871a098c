"""What every family's fixture shares: a column's expectations, report and attachment bodies."""

from __future__ import annotations

import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

import synth
from portal import CORPUS, PortalServer, Route

AGENCIES = [
    "平潭综合实验区管委会",
    "福州市鼓楼区人民政府",
    "嘉善县大云镇人民政府",
    "深圳市龙岗区发展和改革局",
    "武汉市硚口区人民政府办公室",
    "岚皋县民主镇人民政府",
    "淄博市应急管理局",
    "南京市鼓楼区华侨路街道办事处",
]
NOTICES = [
    "关于2023年政务公开工作要点的通知",
    "政府信息公开指南",
    "2022年政府信息公开工作要点落实情况的函",
    "关于征求意见的公告（2024年政府信息公开工作年度报告编制）",
]
ATTACHMENT_KINDS = ("pdf", "docx", "doc", "wps", "ofd", "xls", "jpg", "png")


@dataclass
class Report:
    title: str
    date: str  # YYYY-MM-DD, as the listing prints it
    url: str  # the article page (or the attachment itself)
    attachments: list[str] = field(default_factory=list)  # absolute URLs the crawl must fetch


@dataclass
class Column:
    """One fixture column: its registry row and what a crawl of it must and must not do."""

    sid: str
    family: str  # what `auto` must detect
    url: str
    platform: str = "auto"
    reports: list[Report] = field(default_factory=list)
    never: list[str] = field(default_factory=list)  # paths that must never be requested (notices, robots)
    listing_paths: set[str] = field(default_factory=set)  # listing pages and API list endpoints
    strays: list[str] = field(default_factory=list)  # requests a handler got that no crawl should send

    def row(self) -> str:
        return f"{self.sid},{self.sid} 测试栏目,350128,{self.url},{self.platform},true,true,fixture"


def report_title(rng: random.Random, year: int) -> str:
    return f"{rng.choice(AGENCIES)}{year}年度政府信息公开工作年度报告"


def html_report(rng: random.Random, title: str, year: int) -> bytes:
    """A report published as an HTML page with the national tables (the normaliser reads it)."""
    spec = synth.make_spec(
        rng, "2019" if year < 2021 else "2021", year=year, agency=title.split(str(year))[0]
    )
    return synth.render_html(spec)


def article(title: str, body: str = "<p>详见附件。</p>", script: str = "") -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="ArticleTitle" content="{title}"></head><body>'
        f'<div class="TRS_Editor"><h1>{title}</h1>{body}</div>{script}</body></html>'
    ).encode()


def _png(width: int = 40, height: int = 20) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (width, height), 255).save(buf, "PNG")
    return buf.getvalue()


def _jpg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (255, 255, 255)).save(buf, "JPEG")
    return buf.getvalue()


def _ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
            'Version="1.0" DocType="OFD"/>',
        )
    return buf.getvalue()


_OLE = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)  # the compound-file header .doc/.wps/.xls start with

CTYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wps": "application/kswps",
    "ofd": "application/ofd",
    "xls": "application/vnd.ms-excel",
    "jpg": "image/jpeg",
    "png": "image/png",
}


def attachment_body(kind: str, rng: random.Random, year: int) -> bytes:
    """Bytes of one attachment kind: a real PDF and DOCX, real image files, OLE/OFD shells."""
    if kind == "pdf":
        return (CORPUS / "real/jiangsu_huaian_hongze_district_gov_2024.pdf").read_bytes()
    if kind == "docx":  # the official 2021 template as published (rendering one takes seconds)
        return (CORPUS / "templates/official_2021_blank.docx").read_bytes()
    if kind == "jpg":
        return _jpg()
    if kind == "png":
        return _png()
    if kind == "ofd":
        return _ofd()
    return _OLE


def add_attachment(srv: PortalServer, path: str, kind: str, rng: random.Random, year: int) -> str:
    srv.add(path, attachment_body(kind, rng, year), ctype=CTYPES[kind])
    return srv.base + path


def json_route(payload) -> Route:
    return Route(json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def li(href: str, title: str, date: str) -> str:
    return f'<li><a href="{href}" title="{title}" target="_blank">{title}</a><span>{date}</span></li>'


def page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head><body>'
        f'<div class="header"><a href="/">首页</a></div>{body}'
        f'<div class="footer">版权所有 网站标识码1234567890</div></body></html>'
    ).encode()


def mixed(rng: random.Random, reports: list, notices: list) -> list:
    """Reports with notices inserted at random places (columns hold both)."""
    items = list(reports)
    for n in notices:
        items.insert(rng.randrange(len(items) + 1), n)
    return items


def downfile(srv: PortalServer) -> dict[str, tuple[Route, str]]:
    """Hanweb's /module/download/downfile.jsp: filename → (file, the article it must be Referred from).

    Like the sites that refuse a download without a Referer of the article page (403).
    """
    files: dict[str, tuple[Route, str]] = getattr(srv, "downfiles", None) or {}
    srv.downfiles = files

    def answer(method, path_qs, form, headers):
        name = parse_qs(urlparse(path_qs).query).get("filename", [""])[0]
        if name not in files:
            return None
        route, referer = files[name]
        return (
            route if headers.get("Referer") == referer else Route(b"<html>403 Forbidden</html>", status=403)
        )

    srv.handlers["/module/download/downfile.jsp"] = answer
    return files


def publish(
    srv: PortalServer,
    rng: random.Random,
    folder: str,
    n: int,
    style: str = "link",
    first_year: int = 2019,
    kinds: tuple[str, ...] = ATTACHMENT_KINDS,
    shape: str = "trs",
) -> list[Report]:
    """n reports under folder, TRS-style addresses; every other one published as an attachment.

    style says how an attachment page names its file: `link` (<a href>), `apps` (a script
    array `var apps = [...]`), `files` (nowhere on the page: only the API's files[]) or
    `downfile` (Hanweb's downfile.jsp, refused without the article as Referer).  shape is the
    address form (PORTALS.md): `trs` (…/YYYYMM/tYYYYMMDD_<id>.html), `content` (Content-<id>.html)
    or a Hanweb column id (/art/YYYY/M/D/art_<column>_<id>.html).
    """
    out = []
    for i in range(n):
        year = first_year + i % 6
        date = f"{year + 1}-{i % 12 + 1:02d}-{i % 27 + 1:02d}"
        title = report_title(rng, year)
        stamp = date.replace("-", "")
        path = {
            "trs": f"{folder}{stamp[:6]}/t{stamp}_{7000 + i}.html",
            "content": f"{folder}Content-{2786000 + i}.html",
        }.get(shape, f"/art/{year + 1}/{i % 12 + 1}/{i % 27 + 1}/art_{shape}_{7000 + i}.html")
        rep = Report(title, date, srv.base + path)
        if i % 2 == 0:
            srv.add(path, html_report(rng, title, year))
        else:
            kind = kinds[(i // 2) % len(kinds)]
            name = f"P0{stamp}{i:03d}.{kind}"
            if style == "downfile":
                hexname = f"{rng.getrandbits(128):032x}.{kind}"
                dl = f"/module/download/downfile.jsp?classid=0&filename={hexname}"
                downfile(srv)[hexname] = (Route(attachment_body(kind, rng, year), CTYPES[kind]), rep.url)
                srv.add(path, article(title, f'<p>附件：<a href="{dl}">{title}.{kind}</a></p>'))
                rep.attachments.append(srv.base + dl)
            else:
                url = add_attachment(srv, path.rsplit("/", 1)[0] + "/" + name, kind, rng, year)
                body = {
                    "link": f'<p>附件：<a href="./{name}">{title}.{kind}</a></p>',
                    "apps": "<p>详见附件。</p>",
                    "files": "<p>详见附件。</p>",
                }[style]
                script = (
                    (
                        f'<script>var apps = [{{"appdesc": "{title}.{kind}", "appfile": "{name}", '
                        f'"fileext": "{kind}"}}];</script>'
                    )
                    if style == "apps"
                    else ""
                )
                srv.add(path, article(title, body, script))
                rep.attachments.append(url)
        out.append(rep)
    return out
