"""Generated customers for the search and nearby benchmarks: realistic Chinese company names
(city + brand + industry + legal suffix, some with the city in brackets, a third with an
English name), codes, landlines and mobiles, positions clustered around Yangtze-delta cities.

Names are generated fast: pinyin is computed once per component (city, brand character,
industry word) and the stored forms are composed from those pieces in the exact format that
`core.search.normalize.search_text` writes; `verify` checks that on a random sample.
"""

from __future__ import annotations

import math
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pypinyin import Style, lazy_pinyin, pinyin

from core.db import make_engine
from core.migrate import upgrade
from core.search.lexicon import PLACE_NAMES
from core.search.normalize import company_forms, search_text, split_place

# city, English, area code, region, lat, lon
CITIES = [
    ("苏州", "Suzhou", "0512", "华东", 31.30, 120.62), ("无锡", "Wuxi", "0510", "华东", 31.49, 120.31),
    ("常州", "Changzhou", "0519", "华东", 31.81, 119.97), ("南京", "Nanjing", "025", "华东", 32.06, 118.80),
    ("南通", "Nantong", "0513", "华东", 31.98, 120.89), ("昆山", "Kunshan", "0512", "华东", 31.38, 120.98),
    ("太仓", "Taicang", "0512", "华东", 31.45, 121.10), ("上海", "Shanghai", "021", "华东", 31.23, 121.47),
    ("杭州", "Hangzhou", "0571", "华东", 30.27, 120.15), ("宁波", "Ningbo", "0574", "华东", 29.87, 121.55),
    ("嘉兴", "Jiaxing", "0573", "华东", 30.75, 120.76), ("湖州", "Huzhou", "0572", "华东", 30.89, 120.09),
    ("绍兴", "Shaoxing", "0575", "华东", 30.00, 120.58), ("合肥", "Hefei", "0551", "华东", 31.82, 117.23),
    ("芜湖", "Wuhu", "0553", "华东", 31.35, 118.43), ("扬州", "Yangzhou", "0514", "华东", 32.39, 119.41),
    ("镇江", "Zhenjiang", "0511", "华东", 32.19, 119.45), ("泰州", "Taizhou", "0523", "华东", 32.46, 119.92),
]
BRAND_CHARS = (
    "恒力华光天宇博远联众宝钢精鑫源达通泰安盛兴隆昌德信永新金利丰汇嘉瑞祥福顺成宏伟星辉明峰东南西北科技创威龙凯腾"
    "飞扬航康健美佳欣荣春阳晨润泽浩瀚锦程立平正广同合聚鼎诚骏捷迅驰振亿万千百恩泓森林江河湖石岩晶钰铭锐固坚强胜"
    "鹏豪英杰俊卓越优尚品特实诺益友邦盟汉唐宋清耀宁致晟昊睿鸿旭燊淼磊焱垚"
    "安邦宝奥百佰彪斌滨波博灿辰驰崇川淳聪丹迪鼎栋方芳菲枫锋福富钢港高歌耕冠贵桂国海涵翰好浩禾和恒弘红宏虹鸿厚湖"
    "虎沪花骅欢环辉惠慧吉佳坚建剑江骄杰金锦劲晶景靖九久巨钜君俊开凯康科可坤昆岚蓝朗雷磊黎力丽利莲联良亮林临凌"
    "岭龙隆鲁禄路伦罗茂梅美蒙孟米敏名明铭茗牧楠宁农欧攀沛鹏平浦普七奇琪启千乾强桥勤青晴庆秋全泉群然仁荣蓉融"
    "瑞润森山杉善尚升圣盛诗时世仕舒树双顺硕思松苏速泰坦腾天田通彤拓万旺威维伟卫文沃伍武西希熙禧霞祥翔湘鑫信"
    "星兴雄旭轩宣雅亚岩炎艳阳耀野一伊宜怡亿义艺益逸翼银英盈颖永勇友宇雨玉裕元园源远月越跃云运泽展湛章昭哲臻"
    "振征正之志智中忠州舟竹卓子紫宗"
)
# Chinese, English, code prefix
INDUSTRIES = [
    ("机械", "Machinery"), ("电气", "Electric"), ("精密", "Precision"), ("化工", "Chemical"), ("电子", "Electronics"),
    ("科技", "Technology"), ("泵阀", "Pump Valve"), ("塑胶", "Plastics"), ("五金", "Hardware"), ("汽配", "Auto Parts"),
    ("仪表", "Instruments"), ("自动化", "Automation"), ("液压", "Hydraulics"), ("环保设备", "Environmental Equipment"),
    ("纺织", "Textile"), ("包装", "Packaging"), ("材料", "Materials"), ("铸造", "Casting"), ("轴承", "Bearing"),
    ("齿轮", "Gear"), ("电机", "Motor"), ("风机", "Fan"), ("机床", "Machine Tool"), ("焊接", "Welding"),
    ("钣金", "Sheet Metal"), ("橡胶", "Rubber"), ("涂装", "Coating"), ("制冷", "Refrigeration"), ("新能源", "New Energy"),
    ("光电", "Optoelectronics"), ("管业", "Pipe"), ("线缆", "Cable"), ("阀门", "Valve"), ("传动", "Transmission"),
]
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "厂"]
SUFFIX_P = [0.62, 0.15, 0.12, 0.06, 0.05]
EDGE_PLACES = frozenset(PLACE_NAMES)
DELTA_BOX = (29.8, 32.6, 118.6, 122.0)
"""Yangtze delta: min lat, max lat, min lon, max lon."""


def _single_reading(ch: str) -> bool:
    return len(set(pinyin(ch, heteronym=True, style=Style.NORMAL)[0])) == 1


def brand_chars() -> list[str]:
    """Brand characters with one reading only, so that per-character pinyin is the phrase pinyin."""
    return [c for c in dict.fromkeys(BRAND_CHARS) if _single_reading(c)]


@dataclass
class Customers:
    n: int
    names: list[str]
    names_en: list[str | None]
    codes: list[str]
    phones: list[str]
    mobiles: list[str]
    texts: list[str]
    lat: np.ndarray  # type: ignore[type-arg]
    lon: np.ndarray  # type: ignore[type-arg]
    owner: np.ndarray  # type: ignore[type-arg]
    recent: np.ndarray  # type: ignore[type-arg]
    city: np.ndarray  # type: ignore[type-arg]
    brand: np.ndarray  # type: ignore[type-arg]
    industry: np.ndarray  # type: ignore[type-arg]
    style: np.ndarray  # type: ignore[type-arg]
    """0: city first, 1: city in brackets after, 2: no city."""


def generate(n: int, seed: int = 7, owners: int = 200) -> Customers:
    rng = np.random.default_rng(seed)
    chars = brand_chars()
    c_py = {c: "".join(lazy_pinyin(c)) for c in chars}
    city_py = [lazy_pinyin(c[0]) for c in CITIES]
    ind_py = [lazy_pinyin(i[0]) for i in INDUSTRIES]
    city = rng.integers(0, len(CITIES), n)
    b1, b2 = rng.integers(0, len(chars), n), rng.integers(0, len(chars), n)
    industry = rng.integers(0, len(INDUSTRIES), n)
    suffix = rng.choice(len(SUFFIXES), n, p=SUFFIX_P)
    style = rng.choice(3, n, p=[0.85, 0.10, 0.05])
    has_en = rng.random(n) < 0.35
    land = rng.integers(10_000_000, 90_000_000, n)
    mobile = rng.integers(13_000_000_000, 19_999_999_999, n)
    names, names_en, codes, phones, mobiles, texts = [], [], [], [], [], []
    for i in range(n):
        ci, ii = int(city[i]), int(industry[i])
        brand = chars[b1[i]] + chars[b2[i]]
        ind, ind_en = INDUSTRIES[ii]
        place = CITIES[ci][0]
        distinct = brand + ind
        st = int(style[i])
        core = place + distinct if st == 0 else (distinct + place if st == 1 else distinct)
        name = (place + distinct if st == 0 else f"{distinct}({place})" if st == 1 else distinct) + SUFFIXES[suffix[i]]
        where = city_py[ci] if st != 2 else []
        own = [c_py[brand[0]], c_py[brand[1]], *ind_py[ii]]
        canon = (place if st != 2 else "") + distinct
        if distinct[:2] in EDGE_PLACES or distinct[:3] in EDGE_PLACES or distinct[-2:] in EDGE_PLACES:
            forms = company_forms(name)  # a place word at the edge of the brand: let the real code split it
        else:
            forms = [core, canon, distinct, "".join(where + own), "".join(own),
                     "".join(s[0] for s in where + own), "".join(s[0] for s in own)]
        en = None
        if has_en[i]:
            brand_en = (c_py[brand[0]] + c_py[brand[1]]).capitalize()
            en = f"{CITIES[ci][1]} {brand_en} {ind_en} Co., Ltd."
            forms += company_forms(en)
        code = f"{ind}-{CITIES[ci][3]}-{i:07d}"
        phone = f"{CITIES[ci][2]}-{land[i]}"
        mob = str(mobile[i])
        forms += ["#" + code.replace("-", ""), "+" + phone.replace("-", ""), "+" + mob]
        names.append(name)
        names_en.append(en)
        codes.append(code)
        phones.append(phone)
        mobiles.append(mob)
        texts.append(" ".join(dict.fromkeys(f.lower() for f in forms if len(f) >= 2)))
    lat, lon = positions(rng, city)
    owner = np.where(rng.random(n) < 0.3, -1, rng.integers(2, 2 + owners, n))
    recent = time.time() - rng.random(n) * 365 * 86400
    return Customers(n, names, names_en, codes, phones, mobiles, texts, lat, lon, owner, recent,
                     city, b1 * len(chars) + b2, industry, style)


def positions(rng: np.random.Generator, city: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """80 % scattered around their city (σ ≈ 15 km), 20 % anywhere in the delta."""
    n = len(city)
    centre_lat = np.array([c[4] for c in CITIES])[city]
    centre_lon = np.array([c[5] for c in CITIES])[city]
    lat = centre_lat + rng.normal(0, 0.13, n)
    lon = centre_lon + rng.normal(0, 0.15, n)
    anywhere = rng.random(n) < 0.2
    lat = np.where(anywhere, rng.uniform(DELTA_BOX[0], DELTA_BOX[1], n), lat)
    lon = np.where(anywhere, rng.uniform(DELTA_BOX[2], DELTA_BOX[3], n), lon)
    return np.round(lat, 6), np.round(lon, 6)


def verify(data: Customers, sample: int = 2000, seed: int = 1) -> float:
    """Share of a random sample whose composed forms differ from `search_text` (should be 0)."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(data.n, min(sample, data.n), replace=False)
    bad = 0
    for i in rows.tolist():
        expected = search_text([data.names[i], data.names_en[i]], codes=[data.codes[i]], phones=[data.phones[i], data.mobiles[i]])
        bad += expected != data.texts[i]
    return bad / len(rows)


def distinct_part(core: str) -> str:
    return split_place(core)[1]


async def _migrate(path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()


async def load_sqlite(data: Customers, path: Path, owners: int = 200) -> float:
    """A migrated SQLite file with users, a grade and the customers; returns seconds taken."""
    started = time.perf_counter()
    await _migrate(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    # a bulk import: the change-log triggers are set aside while it runs (the index is built after)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'customers'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    now = "2026-11-24 08:00:00.000000"
    db.execute("INSERT INTO companies (id, name) VALUES (1, '基准测试')")
    db.execute("INSERT INTO customer_grades (code, name_zh, name_en, follow_up_days, recycle_days, rank) VALUES ('normal', '一般', 'normal', 7, 30, 1)")
    users = [(1, "admin", "管理员", "ADMIN")] + [(i, f"rep{i}", f"销售{i}", "REP") for i in range(2, 2 + owners)]
    _insert(db, "users", [{"id": u, "company_id": 1, "login": login, "name": name, "role": role} for u, login, name, role in users])
    rows = (
        {"id": i + 1, "code": data.codes[i], "name": data.names[i], "name_en": data.names_en[i], "aliases": "[]",
         "type": "END_CUSTOMER", "grade_code": "normal", "owner_id": None if data.owner[i] < 0 else int(data.owner[i]),
         "lat": float(data.lat[i]), "lon": float(data.lon[i]), "phone": data.phones[i], "search_text": data.texts[i],
         "last_contact_at": time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(float(data.recent[i]))),
         "created_at": now, "updated_at": now}
        for i in range(data.n)
    )
    _insert(db, "customers", rows)
    for _, sql in triggers:
        db.execute(sql)
    db.commit()
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    return time.perf_counter() - started


def _insert(db: sqlite3.Connection, table: str, rows: object) -> None:
    """Insert dicts, filling NOT NULL columns without a default with a neutral value."""
    info = db.execute(f"PRAGMA table_info({table})").fetchall()
    filler = {"INTEGER": 0, "BOOLEAN": 0, "FLOAT": 0.0, "NUMERIC": 0, "JSON": "{}", "DATETIME": "2026-11-24 08:00:00.000000"}
    batch: list[tuple[object, ...]] = []
    columns = [c[1] for c in info if c[1] != "id" or True]
    marks = ",".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})"
    defaults = {c[1]: (None if not c[3] or c[4] is not None else filler.get(str(c[2]).split("(")[0].upper(), "")) for c in info}
    for row in rows:  # type: ignore[attr-defined]
        batch.append(tuple(row.get(c, defaults[c]) for c in columns))
        if len(batch) >= 20_000:
            db.executemany(sql, batch)
            batch.clear()
    if batch:
        db.executemany(sql, batch)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else math.nan
