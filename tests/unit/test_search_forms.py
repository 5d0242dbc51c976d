"""Normalised forms: what a record is findable by, and how a query is read."""

from __future__ import annotations

import numpy as np
import pytest

from core.search.grams import table_grams, token_grams
from core.search.matcher import parse_query
from core.search.normalize import company_forms, fold, name_key, parse, person_forms, search_text


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("苏州恒力机械有限公司", {"苏州恒力机械", "恒力机械", "suzhouhenglijixie", "henglijixie", "szhljx", "hljx"}),
        ("恒力机械(苏州)", {"苏州恒力机械", "恒力机械", "szhljx"}),
        ("蘇州恆力機械股份有限公司", {"苏州恒力机械", "szhljx"}),
        ("Suzhou Hengli Machinery Co., Ltd.", {"suzhouhenglimachinery", "henglimachinery"}),
        ("重庆长安精密机械有限公司", {"chongqingchanganjingmijixie", "cqcajmjx"}),
    ],
)
def test_company_forms(name, forms):
    assert forms <= set(company_forms(name))


@pytest.mark.parametrize(
    ("name", "readings"),
    [
        ("曾经理", {"zengjingli", "zjl"}),  # phrase context would say ceng
        ("单立人", {"shanliren", "slr"}),  # dictionary default would say dan
        ("曾小单", {"zengxiaodan", "zengxiaoshan"}),  # heteronyms of the given name too
        ("欧阳锋", {"ouyangfeng", "oyf"}),  # compound surname
        ("王建国", {"wangjianguo", "wjg"}),
    ],
)
def test_person_readings_handle_surname_heteronyms(name, readings):
    assert readings <= set(person_forms(name))
    assert len(person_forms(name)) <= 1 + 2 * 9


def test_tagged_search_text_round_trip():
    text = search_text(["王建国"], phones=["138 1234 5678"], emails=["Wang@Hengli.CN"], person=True)
    forms = parse(text)
    assert forms.phones == ["13812345678"] and forms.emails == ["wang@hengli.cn"] and "wjg" in forms.names
    text = search_text(["X100 离心水泵"], codes=["X100"])
    assert "#x100" in text.split() and "x100" in text.split()
    text = search_text(["苏州恒力机械有限公司"], codes=["机械-华东-001"])
    assert "#机械华东001" in text.split() and "机械华东001" not in text.split()


def test_fold_and_name_key():
    assert fold("  ＨＥＮＧＬＩ　蘇州 ") == "hengli 苏州"
    assert name_key("苏州恒力机械有限公司") == name_key("恒力机械(苏州)") == "恒力机械"


def test_query_grams_equal_table_grams():
    texts = [search_text(["苏州恒力机械有限公司", "Suzhou Hengli Machinery"], codes=["机械-华东-001"], phones=["0512-62345678"]),
             search_text(["曾小单"], person=True), "ab 恒"]
    codes, records = table_grams(texts)
    for number, text in enumerate(texts):
        expected = {g for token in text.split() if token[0] not in "#+@" for g in token_grams(token)}
        assert set(codes[records == number].tolist()) == expected
    assert codes.dtype == np.int64


@pytest.mark.parametrize(
    ("raw", "phone", "code"),
    [("138 1234 5678", "13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678", "8613812345678"),
     ("5678", "5678", "5678"), ("机械-华东-001", None, "机械华东001"), ("123", None, "123")],
)
def test_query_reading(raw, phone, code):
    query = parse_query(raw)
    assert query is not None and query.phone == phone and query.code == code


def test_empty_queries():
    assert parse_query("") is None and parse_query("  ,.;") is None
