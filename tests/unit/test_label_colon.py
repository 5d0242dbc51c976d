"""A label's colon follows the label's script, as the zh-CN texts write it."""

from __future__ import annotations

import pytest

from conversations.i18n import labelled


@pytest.mark.parametrize(("label", "shown"), [
    ("距客户位置", "距客户位置：55 m"),
    ("配置（可选）", "配置（可选）：55 m"),  # full-width bracket
    ("Distance", "Distance: 55 m"),
    ("SLA", "SLA: 55 m"),  # a Latin label in a Chinese card
    ("Alerts 🔔", "Alerts 🔔: 55 m"),  # an emoji is wide but not Chinese
])
def test_a_chinese_label_takes_a_full_width_colon_and_others_a_colon_and_space(label: str, shown: str) -> None:
    assert labelled(label, "55 m") == shown
