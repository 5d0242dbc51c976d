"""Raw material for the demo data: industrial parks, company-name parts, people's names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Park:
    """An industrial area with its real centre; demo customers are scattered around it."""

    key: str
    city: str
    """The value of Customer.city."""
    prefix: str
    """The place word that starts a company name here (昆山, 上海 …)."""
    prefix_en: str
    province: str
    region: str
    lat: float
    lon: float
    area_code: str
    address_prefix: str
    streets: tuple[str, ...]


PARKS: dict[str, Park] = {
    p.key: p
    for p in (
        Park("sip", "苏州", "苏州", "Suzhou", "江苏", "华东", 31.3236, 120.7260, "0512", "苏州工业园区",
             ("星湖街", "苏虹中路", "现代大道", "星龙街", "金鸡湖大道", "东旺路")),
        Park("snd", "苏州", "苏州", "Suzhou", "江苏", "华东", 31.2990, 120.5430, "0512", "苏州高新区",
             ("长江路", "珠江路", "嵩山路", "金山路", "狮山路", "鹿山路")),
        Park("kunshan", "昆山", "昆山", "Kunshan", "江苏", "华东", 31.3560, 120.9860, "0512", "昆山开发区",
             ("前进东路", "黄浦江路", "洞庭湖路", "章基路", "萧林路")),
        Park("wujiang", "苏州", "吴江", "Wujiang", "江苏", "华东", 31.1600, 120.6400, "0512", "苏州市吴江区",
             ("江兴东路", "庞金路", "云梨路", "开平路", "中山南路")),
        Park("taicang", "太仓", "太仓", "Taicang", "江苏", "华东", 31.4570, 121.1300, "0512", "太仓经济开发区",
             ("北京东路", "上海东路", "南京东路", "郑和中路")),
        Park("wuxi", "无锡", "无锡", "Wuxi", "江苏", "华东", 31.5500, 120.3600, "0510", "无锡市新吴区",
             ("长江路", "新华路", "锡士路", "珠江路", "菱湖大道")),
        Park("wujin", "常州", "常州", "Changzhou", "江苏", "华东", 31.7000, 119.9500, "0519", "常州市武进区",
             ("龙锦路", "海湖路", "阳湖西路", "武宜中路")),
        Park("jiading", "上海", "上海", "Shanghai", "上海", "华东", 31.3750, 121.2500, "021", "上海市嘉定区",
             ("叶城路", "墨玉路", "嘉松北路", "兴贤路", "嘉戬公路")),
        Park("songjiang", "上海", "上海", "Shanghai", "上海", "华东", 31.0300, 121.2270, "021", "上海市松江区",
             ("荣乐东路", "江田东路", "九亭大街", "民益路")),
        Park("minhang", "上海", "上海", "Shanghai", "上海", "华东", 31.0200, 121.4000, "021", "上海市闵行区",
             ("剑川路", "春东路", "申富路", "光华路", "紫星路")),
        Park("jiaxing", "嘉兴", "嘉兴", "Jiaxing", "浙江", "华东", 30.7700, 120.7500, "0573", "嘉兴经济技术开发区",
             ("城南路", "昌盛南路", "由拳路", "亚太路")),
        Park("beijing", "北京", "北京", "Beijing", "北京", "华北", 39.7950, 116.5060, "010", "北京经济技术开发区",
             ("荣华南路", "科创十四街", "经海路", "宏达北路")),
        Park("tianjin", "天津", "天津", "Tianjin", "天津", "华北", 39.0450, 117.7100, "022", "天津经济技术开发区",
             ("第三大街", "第五大街", "黄海路", "洞庭路")),
        Park("guangzhou", "广州", "广州", "Guangzhou", "广东", "华南", 23.1700, 113.4500, "020", "广州市黄埔区",
             ("科学大道", "开创大道", "香雪大道", "开源大道")),
        Park("shenzhen", "深圳", "深圳", "Shenzhen", "广东", "华南", 22.5550, 113.8830, "0755", "深圳市宝安区",
             ("宝安大道", "福海大道", "新湖路", "西乡大道")),
    )
}

BRANDS: tuple[str, ...] = (
    "华光", "天宇", "精诚", "博远", "鑫达", "宏远", "金川", "永盛", "瑞丰", "东方",
    "中天", "华源", "海通", "联创", "科达", "兴业", "鼎盛", "嘉禾", "明辉", "德润",
    "新宇", "凯达", "远大", "万通", "宝丰", "伟业", "中鼎", "通达", "安信", "恒远",
    "华瑞", "金源", "天成", "盛达", "汇丰", "润泽", "森威", "富源", "英杰", "晨光",
    "协鑫", "亚泰", "荣昌", "创新", "百瑞", "欧华", "佳美", "顺发",
)
"""Two-character brand words; 恒力 and 宝钢 are kept for the fixed customers."""


@dataclass(frozen=True)
class Industry:
    word: str
    """As it appears in the company name."""
    label: str
    """Customer.industry, also the first part of the customer code."""
    en: str


INDUSTRIES: tuple[Industry, ...] = (
    Industry("机械", "机械", "Machinery"),
    Industry("精密机械", "机械", "Precision Machinery"),
    Industry("重工", "机械", "Heavy Industry"),
    Industry("精密", "精密", "Precision"),
    Industry("精密制造", "精密", "Precision Manufacturing"),
    Industry("电气", "电气", "Electric"),
    Industry("电子", "电子", "Electronics"),
    Industry("化工", "化工", "Chemical"),
    Industry("汽车零部件", "汽车零部件", "Auto Parts"),
    Industry("食品", "食品", "Food"),
    Industry("制药", "制药", "Pharmaceutical"),
    Industry("纺织", "纺织", "Textile"),
    Industry("环保", "环保", "Environmental Protection"),
    Industry("水务", "水务", "Water"),
    Industry("新材料", "新材料", "New Materials"),
    Industry("塑胶", "塑胶", "Plastics"),
)
INDUSTRY_WEIGHTS: tuple[int, ...] = (14, 5, 2, 6, 4, 9, 6, 7, 9, 5, 5, 5, 6, 3, 4, 4)

SUFFIXES: tuple[tuple[str, str], ...] = (
    ("有限公司", "Co., Ltd."),
    ("股份有限公司", "Co., Ltd."),
    ("科技有限公司", "Technology Co., Ltd."),
)
SUFFIX_WEIGHTS: tuple[int, ...] = (6, 2, 2)

DEALER_WORDS: tuple[tuple[str, str], ...] = (
    ("泵阀贸易", "Pump & Valve Trading"),
    ("机电设备", "Electromechanical Equipment"),
    ("流体设备", "Fluid Equipment"),
    ("工业设备", "Industrial Equipment"),
)

SURNAMES: tuple[str, ...] = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "沈", "蒋", "蔡", "丁", "魏", "叶", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任",
    "姜", "范", "方", "石", "姚", "谭", "邹", "金", "陆", "孔", "顾", "邵", "孟", "钱", "严",
)
GIVEN_NAMES: tuple[str, ...] = (
    "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "华", "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "文", "斌", "鹏", "浩",
    "宇", "婷", "雪", "琳", "凯", "峰", "鑫", "建军", "国平", "春梅", "玉兰", "立新", "永刚",
    "晓明", "红梅", "卫东", "德明", "振华", "美玲", "志刚", "小龙", "文杰", "海峰", "建平",
)
TITLES: tuple[str, ...] = ("采购经理", "设备部主任", "总经理", "厂长", "工程师")
TITLE_WEIGHTS: tuple[int, ...] = (4, 3, 1, 2, 3)

MOBILE_PREFIXES: tuple[str, ...] = (
    "135", "136", "137", "139", "150", "151", "152", "158", "159", "186", "187", "189",
)
"""138 is left out so that random mobiles never clash with 13812345678 or the staff's 1381234xxxx."""
