"""The words of a stock count: units (and which of them mean "pieces"), filler, "none left"."""

from __future__ import annotations

PIECE_UNITS = frozenset({"台", "个", "件", "只", "支", "根", "条", "把", "块", "套", "片", "部", "具", "粒", "颗", "pcs"})
"""Counting words for single items: any of them means the product's base unit (X100 5个 = 5 台)."""

UNIT_ALIASES: dict[str, str] = {
    "pcs": "pcs", "pc": "pcs", "piece": "pcs", "pieces": "pcs", "unit": "pcs", "units": "pcs", "nos": "pcs",
    "set": "套", "sets": "套",
    "box": "box", "boxes": "box", "bx": "box", "carton": "箱", "cartons": "箱", "ctn": "箱", "ctns": "箱",
    "case": "箱", "cases": "箱", "bag": "袋", "bags": "袋", "drum": "桶", "drums": "桶", "pail": "桶",
    "pails": "桶", "barrel": "桶", "barrels": "桶", "pack": "包", "packs": "包", "roll": "卷", "rolls": "卷",
    "bottle": "瓶", "bottles": "瓶", "pair": "对", "pairs": "对",
}
"""English unit words → the Chinese unit they stand for ('box' may be 箱 or 盒: whichever the product has)."""

CJK_UNITS = frozenset({*PIECE_UNITS - {"pcs"}, "箱", "盒", "袋", "桶", "包", "卷", "瓶", "对", "组", "捆", "托", "罐"})
BOX_UNITS = ("箱", "盒")
"""What an English 'box' may mean, in order of preference."""

LATIN_UNITS = tuple(sorted(UNIT_ALIASES, key=len, reverse=True))

ZERO_WORDS = ("没有了", "没有", "没货", "无货", "缺货", "断货", "售罄", "卖完了", "卖完", "out of stock", "sold out", "none left")
"""A count of nothing, said in words."""

NOISE_WORDS = (
    "库存", "盘点", "上报", "现有", "目前", "当前", "今天", "今日", "本周", "还剩", "剩余", "剩下", "还有", "一共",
    "共计", "合计", "总共", "大约", "大概", "左右", "如下", "数量", "我们", "这边", "仓库", "门店", "店里", "大概有",
    "结果", "情况", "汇总", "明细", "清单", "报告", "本月", "以下", "更新", "最新",
)
"""Filler removed from anywhere in a product mention (none of it occurs in product names)."""

EDGE_NOISE = ("有", "剩", "共", "约", "还", "存", "现", "的", "是", "报", "再", "为")
"""One-character filler, removed only at the edges of a mention (有机硅 keeps its 有)."""

LATIN_NOISE = frozenset({
    "stock", "inventory", "we", "have", "has", "left", "on", "hand", "qty", "quantity", "the", "of", "remaining",
    "count", "report", "today", "about", "approx", "around", "only", "still", "is", "are", "in", "at", "our",
    "store", "warehouse", "there", "total", "got", "currently", "now", "approximately", "please", "record",
})

EACH_WORDS = frozenset({"各", "each", "ea"})
"""'X100、B200各5台': the same count for every product named before it."""

SYNONYMS = {"马达": "电机", "电动机": "电机", "泵浦": "泵", "motors": "motor", "pumps": "pump", "valves": "valve"}
"""Words people use for what the catalog calls otherwise."""

SPEC_WORDS = frozenset({
    "kw", "w", "kva", "hp", "mm", "cm", "m", "mpa", "bar", "kg", "l", "v", "inch", "寸", "匹", "千瓦", "米",
    "公斤", "升", "度", "dn", "rpm", "hz", "t", "吨",
})
"""Words after a number that make it a specification (22 kW, 20 L), never a count."""

VAGUE_WORDS = frozenset({
    "很多", "好多", "一些", "若干", "几台", "几个", "几箱", "不少", "不多", "少量", "大量", "一点", "some", "many", "few",
    "several", "lots", "plenty", "enough", "多", "少",
})
"""Counts that are not numbers: the line is kept and its count asked for."""
