"""Find table cells in a page image from its ruled lines (OpenCV), after deskewing.

Why lines and not text layout: a blank cell has no text, so only the rules say it is
there; reading text lines without cells loses every blank cell.  Rules are found by
morphological opening with long thin kernels, so text strokes (even big title glyphs)
do not pass as lines.  A table cut by the page bottom has no closing rule: its
vertical rules still end somewhere, and that end closes the last row.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_SKEW = 5.0  # degrees; scans beyond this are not tables we can trust
MIN_TABLE_FRAC = 0.3  # a table spans at least this share of the page width


@dataclass
class Box:
    """One (possibly merged) cell: grid position and span, and its pixel rectangle."""

    row: int
    col: int
    rowspan: int
    colspan: int
    x0: int
    y0: int
    x1: int
    y1: int


@dataclass
class Table:
    x0: int
    y0: int
    x1: int
    y1: int
    n_rows: int
    n_cols: int
    boxes: list[Box]


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink = 255.  Adaptive, so uneven scan lighting does not erase thin rules."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)


def _line_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, w = ink.shape
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, w // 18), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(25, h // 60)))
    hor = cv2.dilate(cv2.morphologyEx(ink, cv2.MORPH_OPEN, hk), np.ones((3, 1), np.uint8))
    ver = cv2.dilate(cv2.morphologyEx(ink, cv2.MORPH_OPEN, vk), np.ones((1, 3), np.uint8))
    return hor, ver


def skew_angle(gray: np.ndarray) -> float:
    """Angle (degrees) of the page's long horizontal rules; 0 when there are none.

    Long rules are located with a short, tolerant kernel on a downscaled image and
    their angle measured by a line fit, so a 1.5° tilt still yields full-length rules.
    """
    ink = binarize(gray)
    h, w = ink.shape
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 40), 1))
    hor = cv2.morphologyEx(ink, cv2.MORPH_OPEN, k)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(hor, connectivity=8)
    angles: list[tuple[float, int]] = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if bw < w * 0.25 or bh > bw * 0.08:
            continue
        ys, xs = np.nonzero(labels[y : y + bh, x : x + bw] == i)
        if len(xs) < 20:
            continue
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append((float(np.degrees(np.arctan(slope))), int(bw)))
    if not angles:
        return 0.0
    angles.sort()
    total = sum(wt for _, wt in angles)
    acc = 0
    for a, wt in angles:  # weighted median: robust to an underline or a stray rule
        acc += wt
        if acc >= total / 2:
            return a if abs(a) <= MAX_SKEW else 0.0
    return 0.0


def deskew(gray: np.ndarray) -> np.ndarray:
    angle = skew_angle(gray)
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _segments(mask: np.ndarray, horizontal: bool, min_len: int) -> list[tuple[int, int, int]]:
    """(position, start, end) of each rule: y, x0, x1 for horizontal; x, y0, y1 for vertical."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        if horizontal and bw >= min_len and bh <= max(12, bw // 20):
            out.append((y + bh // 2, x, x + bw))
        elif not horizontal and bh >= min_len and bw <= max(12, bh // 20):
            out.append((x + bw // 2, y, y + bh))
    return out


def _cluster(segs: list[tuple[int, int, int]], tol: int) -> list[tuple[int, list[tuple[int, int]]]]:
    """Group segments on the same line: (position, covered intervals)."""
    out: list[tuple[int, list[tuple[int, int]]]] = []
    for pos, a, b in sorted(segs):
        if out and pos - out[-1][0] <= tol:
            out[-1][1].append((a, b))
        else:
            out.append((pos, [(a, b)]))
    return out


def _covered(intervals: list[tuple[int, int]], a: int, b: int) -> float:
    """Share of [a, b] covered by the intervals."""
    if b <= a:
        return 0.0
    total = 0
    for x, y in intervals:
        total += max(0, min(b, y) - max(a, x))
    return min(1.0, total / (b - a))


def _tables_regions(hor: np.ndarray, ver: np.ndarray, width: int) -> list[tuple[int, int, int, int]]:
    both = cv2.bitwise_or(hor, ver)
    both = cv2.dilate(both, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    regions = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        if bw >= width * MIN_TABLE_FRAC and bh >= 20:
            regions.append((x, y, x + bw, y + bh))
    return sorted(regions, key=lambda r: r[1])


def find_tables(gray: np.ndarray) -> list[Table]:
    """Tables on a deskewed page, top to bottom, each as merged-cell boxes."""
    ink = binarize(gray)
    hor, ver = _line_masks(ink)
    h, w = ink.shape
    tables = []
    for x0, y0, x1, y1 in _tables_regions(hor, ver, w):
        t = _table(hor[y0:y1, x0:x1], ver[y0:y1, x0:x1], x0, y0)
        if t is not None:
            tables.append(t)
    return tables


def _table(hor: np.ndarray, ver: np.ndarray, ox: int, oy: int) -> Table | None:
    h, w = hor.shape
    hs = _cluster(_segments(hor, True, max(20, w // 30)), 6)
    vs = _cluster(_segments(ver, False, 15), 6)
    if len(vs) < 2 or len(hs) < 1:
        return None
    v_top = min(a for _, iv in vs for a, _ in iv)
    v_bot = max(b for _, iv in vs for _, b in iv)
    ys = [p for p, _ in hs]
    if v_bot - ys[-1] > 12:  # cut by the page bottom (or top): the rules' ends close the row
        hs.append((v_bot, [(0, w)]))
    if ys[0] - v_top > 12:
        hs.insert(0, (v_top, [(0, w)]))
    if len(hs) < 2:
        return None
    ys = [p for p, _ in hs]
    xs = [p for p, _ in vs]
    nr, nc = len(ys) - 1, len(xs) - 1
    # a boundary between neighbours exists where a rule covers most of their shared edge
    right = [[_covered(vs[c + 1][1], ys[r], ys[r + 1]) > 0.5 for c in range(nc)] for r in range(nr)]
    below = [[_covered(hs[r + 1][1], xs[c], xs[c + 1]) > 0.5 for c in range(nc)] for r in range(nr)]
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    boxes = []
    for r in range(nr):
        for c in range(nc):
            if (r, c) in owner:
                continue
            cs = 1
            while c + cs < nc and not right[r][c + cs - 1] and (r, c + cs) not in owner:
                cs += 1
            rs = 1
            while r + rs < nr and not any(below[r + rs - 1][c + k] for k in range(cs)):
                rs += 1
            for dr in range(rs):
                for dc in range(cs):
                    owner[(r + dr, c + dc)] = (r, c)
            boxes.append(Box(r, c, rs, cs, ox + xs[c], oy + ys[r], ox + xs[c + cs], oy + ys[r + rs]))
    return Table(ox, oy, ox + w, oy + h, nr, nc, boxes)
