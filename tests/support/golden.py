"""Golden files of the platform renders (tests/contract/golden/<platform>/<name>.json).

After an intended change, regenerate with FIELDCHAT_UPDATE_GOLDEN=1 and read the diff before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conversations.messages import Action, Choices, Form, FormField

CHECK = Action("✓ Check", token="ld.k3Fq9a.check.Ab12Cd", style="primary")
LEAD_FORM = Form(
    "New lead",
    (
        FormField("company_name", "Company", value="苏州恒力机械有限公司"),
        FormField("phone", "Phone", "phone", required=False, hint="+86 or 11 digits"),
        FormField("need", "Need", "textarea", required=False),
        FormField("next_contact", "Next contact", "date", required=False, value="2031-05-06"),
        FormField("source", "Source", "choice", options=(("exhibition", "Exhibition"), ("website", "Website")), value="website"),
    ),
    CHECK,
)
"""A form with every kind of field the renders must handle."""
NEARBY = Choices(
    "Customers near you (2). Where are you?",
    (
        Action("苏州恒力机械 · 95 m", token="ci.k3Fq9a.p1.Xy12Za"),
        Action("Cancel", token="x.-.cancel.Qw34Er", style="danger"),
        Action("Map", url="https://maps.example.com/?q=31.3,120.7"),
    ),
)
"""Choices with a token button, a danger button and a link."""


def check_golden(directory: Path, name: str, data: Any) -> None:
    path = directory / f"{name}.json"
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("FIELDCHAT_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with FIELDCHAT_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"
