"""Reports our own generators made up, told apart from published ones by a printed marker.

Why: demo and fixture documents carry invented numbers under fictional agency names;
whoever reads the data must see that, in every output.  The generator prints MARKER in
the document itself, so the flag travels with the bytes (crawled, copied or normalised
from disk) and needs no side table.
"""

from __future__ import annotations

MARKER = "【合成示例数据】"
NOTICE = (
    f"{MARKER}本报告由 ogi-reports 的演示生成器合成：机关名称与全部数字均为虚构，不是任何机关发布的文件。"
)


def is_synthetic(text: str) -> bool:
    """True when the document carries the generator's marker."""
    return MARKER in text
