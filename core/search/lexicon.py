"""Word lists the matcher needs: legal suffixes, place names, surname readings."""

from __future__ import annotations

LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团", "股份", "公司", "厂", "分公司",
    "co., ltd.", "co.,ltd.", "co. ltd.", "co ltd", "co.", "ltd.", "ltd", "inc.", "inc", "corp.", "corporation",
    "group", "company", "limited",
)

PLACE_NAMES = (
    "中国", "江苏", "浙江", "上海", "安徽", "山东", "广东", "北京", "天津", "苏州", "无锡", "常州", "南京",
    "昆山", "太仓", "吴江", "张家港", "常熟", "嘉兴", "杭州", "宁波", "南通", "湖州", "合肥", "嘉定", "松江",
    "青浦", "闵行", "浦东", "宝山", "金山", "奉贤", "绍兴", "镇江", "扬州", "泰州", "盐城", "芜湖", "台州",
    "温州", "金华", "舟山", "广州", "深圳", "东莞", "佛山", "重庆", "成都", "武汉",
    "suzhou", "shanghai", "wuxi", "kunshan", "changzhou", "nanjing", "hangzhou", "ningbo", "jiaxing",
    "nantong", "taicang", "wujiang", "beijing", "tianjin", "guangzhou", "shenzhen", "china",
)
"""Place words that start (or end, in brackets) a company name and say nothing about which company."""

SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha", "解": "xie", "盖": "ge",
    "乐": "yue", "翟": "zhai", "缪": "miao", "覃": "qin", "燕": "yan", "种": "chong", "秘": "bi", "召": "shao",
    "员": "yun", "任": "ren", "纪": "ji", "尉": "yu", "宓": "mi", "繁": "po", "谌": "chen", "曲": "qu",
    "句": "gou", "朝": "chao", "折": "she", "隗": "wei", "卜": "bu", "藏": "zang", "冼": "xian", "洗": "xian",
    "薄": "bo", "重": "chong", "沈": "shen", "石": "shi", "殷": "yin", "都": "du", "么": "yao", "阚": "kan",
    "华": "hua", "贾": "jia", "柏": "bai", "行": "xing", "长": "chang", "能": "nai", "费": "fei", "过": "guo",
    "万俟": "moqi", "尉迟": "yuchi", "单于": "chanyu", "长孙": "zhangsun", "澹台": "tantai", "令狐": "linghu",
}
"""How a character reads as a surname where the dictionary's phrase reading is wrong (曾经理 is Zeng)."""

COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "公孙", "慕容", "司徒", "夏侯", "万俟", "尉迟", "单于",
     "长孙", "澹台", "令狐", "宇文", "西门", "独孤", "端木"}
)

MAX_PERSON_READINGS = 8
"""Cap on pinyin variants indexed per person name (heteronym combinations grow fast)."""
