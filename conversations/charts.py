"""Small bar charts as PNG (matplotlib, Agg backend), for report replies (`Media`).

Chinese labels need a CJK font; when none is installed the chart falls back to English
labels rather than showing empty boxes. Rendering is CPU work, so callers run it in a
thread; matplotlib is imported on first use only (it is slow to import).
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

log = logging.getLogger(__name__)
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Source Han Sans SC", "SimHei")
_LOCK = threading.Lock()
"""pyplot's state is global: one chart at a time per process."""


@dataclass(frozen=True)
class Bars:
    title: str
    labels: Sequence[str]
    values: Sequence[float]
    secondary: Sequence[float] | None = None
    """A lighter bar behind each value (e.g. the unweighted amount)."""
    legend: tuple[str, str] | None = None
    unit: str = ""
    scale: float = 1.0
    """Axis labels show value / scale followed by `unit` (10000 and 万, or 1000 and k)."""


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:
        log.info("no CJK font installed: charts use English labels")
    return found


def render_bars(bars: Bars) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with _LOCK:
        font = cjk_font()
        if font:
            plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
        fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=110)
        try:
            x = range(len(bars.labels))
            if bars.secondary is not None:
                ax.bar(x, bars.secondary, color="#c9d7ea", label=bars.legend[1] if bars.legend else None)
            ax.bar(x, bars.values, color="#2f6db5", width=0.55, label=bars.legend[0] if bars.legend else None)
            ax.set_xticks(list(x), list(bars.labels))
            ax.set_title(bars.title)
            ax.yaxis.set_major_formatter(lambda v, _pos: f"{v / bars.scale:,.0f}{bars.unit}")
            ax.spines[["top", "right"]].set_visible(False)
            if bars.legend:
                ax.legend(frameon=False, fontsize=8)
            fig.tight_layout()
            out = io.BytesIO()
            fig.savefig(out, format="png")
            return out.getvalue()
        finally:
            plt.close(fig)
