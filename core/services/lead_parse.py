"""One free-text message → lead fields: '王经理 13812345678 苏州恒力机械 需要10台水泵'."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

import phonenumbers

from core.errors import InvalidInput
from core.search.normalize import fold

PHONE = re.compile(r"(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}|0\d{2,3}-?\d{7,8}")
LOOSE_PHONE = re.compile(r"(?<![\d.])\+?\d[\d-]{3,}\d(?![\d.台个件套箱吨kKwW%])")
"""Digits that look meant as a phone number but are not a valid one: kept, so validation names them."""
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TITLE = r"(?:经理|总监|总经理|总工|工程师|主任|厂长|董事长|老板|先生|女士|小姐|总|工|师傅)"
PERSON = re.compile(rf"^[\u4e00-\u9fff]{{1,3}}{TITLE}$|^(?:mr|ms|mrs)\.?\s*\w+$", re.I)
COMPANY_WORDS = re.compile(
    r"(公司|集团|机械|科技|制造|工业|实业|电气|设备|重工|精密|电子|汽车|化工|材料|厂|股份|"
    r"co\.|ltd|inc|corp|machinery|industr|technolog|manufactur|group|electric)",
    re.I,
)
NEED_ZH = re.compile(r"(需要|需求|想要|采购|询价|求购)\s*(.+)$")
NEED_EN = re.compile(r"\b(?:needs?|wants?|looking for|interested in)\b\s*(.+)$", re.I)
LIST_SEPARATORS = re.compile(r"[,，;；、\n]+")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class LeadDraft:
    company_name: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    need: str | None = None
    source: str = "exhibition"
    region: str | None = None


def normalise_phone(raw: str) -> str:
    """E.164 for a valid Chinese (or international) number; InvalidInput otherwise."""
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidInput("error.phone_invalid", value=raw[:40]) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("error.phone_invalid", value=raw[:40])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    email = fold(raw)
    if not EMAIL.fullmatch(email):
        raise InvalidInput("error.email_invalid", value=raw[:80])
    return email


def parse_lead_text(text: str) -> LeadDraft:
    """Best-effort split of one message into contact, phone, e-mail, company and need."""
    rest = unicodedata.normalize("NFKC", text).strip()
    draft = LeadDraft()
    if m := PHONE.search(rest) or LOOSE_PHONE.search(rest):
        draft = replace(draft, phone=m.group(0))
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := EMAIL.search(rest):
        draft = replace(draft, email=m.group(0).lower())
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := NEED_ZH.search(rest):
        draft = replace(draft, need=(m.group(1) + m.group(2)).strip(" ,，。"))
        rest = rest[: m.start()]
    elif m := NEED_EN.search(rest):
        draft = replace(draft, need=m.group(1).strip(" ,."))
        rest = rest[: m.start()]
    splitter = LIST_SEPARATORS if LIST_SEPARATORS.search(rest.strip(" ,，;；、\n")) else SPACES
    words = [w.strip() for w in splitter.split(rest) if w.strip(" ,.")]
    leftovers = []
    for word in words:
        if draft.contact_name is None and PERSON.match(word):
            draft = replace(draft, contact_name=word)
        elif draft.company_name is None and COMPANY_WORDS.search(word):
            draft = replace(draft, company_name=word)
        else:
            leftovers.append(word)
    if draft.company_name is None and leftovers:
        draft = replace(draft, company_name=" ".join(leftovers))
    elif leftovers and draft.need is None:
        draft = replace(draft, need=" ".join(leftovers))
    return draft
