"""The bulk rescoring gives every record the score its best name key earns, key by key."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz

from core.search.matcher import CONTAINS, EXACT, FUZZY_SCALE, PREFIX, names_part, parse_query, rescore
from core.search.normalize import search_text

RECORDS = [
    search_text(["苏州恒力机械有限公司", "Suzhou Hengli Machinery"], codes=["机械-华东-001"], phones=["0512-5555-1518"]),
    search_text(["苏州晨光纺织有限公司"], codes=["纺织-华东-002"], phones=[]),
    search_text(["无锡晨光电机有限公司", "Wuxi Chenguang Motor"], codes=[], phones=[]),
    search_text(["X100离心泵 上海泵业"], codes=[], phones=[]),
]


def one_key_at_a_time(form: str, text: str) -> float:
    keys = names_part(text).split()
    spaced = f" {' '.join(keys)} "
    if f" {form} " in spaced:
        return EXACT
    if f" {form}" in spaced:
        return PREFIX
    if any(form in k for k in keys):
        return CONTAINS
    if len(form) < 3:
        return 0.0
    scores = [fuzz.ratio(form, k) for k in keys] + [0.95 * fuzz.partial_ratio(form, k) for k in keys if len(k) >= len(form)]
    return FUZZY_SCALE * max(scores, default=0.0)


def test_bulk_scores_equal_scoring_every_key_of_every_record():
    for typed in ("苏州晨光纺织", "晨光纺織", "恒力机诫", "chenguang", "szhljx", "hengli 机械", "x100泵", "晨光 motor", "无锡晨光"):
        query = parse_query(typed)
        assert query is not None
        expected = [max(one_key_at_a_time(form, text) * weight for form, weight in query.forms) for text in RECORDS]
        assert np.allclose(rescore(query, RECORDS), expected), typed
