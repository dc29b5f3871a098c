"""Chart set-up for the notebooks: a font that has Chinese glyphs, or a clear error.

Why: matplotlib's default font has no CJK glyphs, so agency names come out as boxes
("tofu") with only a warning.  We pick the first installed font from a list of common
CJK fonts and fail loudly when there is none.
"""

from __future__ import annotations

# Debian/Ubuntu fonts-noto-cjk first (what scripts/setup installs), then common
# fonts on other systems.
CJK_FONTS = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
]


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese; returns the font chosen."""
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["font.sans-serif"] = [name] + list(matplotlib.rcParams["font.sans-serif"])
            matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
            return name
    raise RuntimeError(
        "no font with Chinese glyphs is installed: install fonts-noto-cjk "
        "(apt-get install fonts-noto-cjk) or one of: " + ", ".join(CJK_FONTS)
    )
