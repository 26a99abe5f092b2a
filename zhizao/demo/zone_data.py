"""The facts the demo zone is built around: the articles' figures as targets for the
generator, and the names of the zone's areas, enterprises and identifier nodes.

Only the generator reads the targets; every figure zhizao shows is computed from the monthly
records generated to meet them (tests/demo checks it through the API).
"""

from __future__ import annotations

from datetime import date


def split(total: int, weights: list[float]) -> list[int]:
    """`total` in integer parts proportional to `weights`, summing exactly (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


# --- the articles' figures (targets) ------------------------------------------------------
ZONE_NEV_H1_2022 = 69_000
ZONE_NEV_H1_2023 = 113_000
CITY_NEV_H1_2023 = 152_291  # 113,000 ÷ 152,291 = 74.2%
EXPO_2021 = (25, 46_300)  # projects, amount in 0.01 亿元 units (463 亿元 = 46.3 bn yuan)
EXPO_2023 = (15, 41_150)  # 411.5 亿元 = 41.15 bn yuan
PARK_AMOUNT_YUAN = 10_200_000_000
PARK_NEVS_3_YEARS = 133_000
SANY_EXCAVATORS_2022 = 28_000
CQ_NODE_H1_2022 = 2_500_000_000
CQ_NODE_GROWTH = 0.992  # H1 2023 over H1 2022

# Zone NEV output by month (the zone's total; split among the automakers by the generator).
ZONE_NEV = {
    2021: [5500, 5000, 6500, 7000, 7500, 8500, 9000, 9500, 10000, 11000, 11500, 13000],
    2022: [9500, 8000, 11000, 12500, 13000, 15000, 16000, 17000, 17500, 18500, 19000, 21000],
    2023: [15000, 14500, 18500, 19500, 21500, 24000, 24500, 25500, 26000, 27000, 28000, 30000],
}
SANY_EXCAVATORS = {
    2021: [0] * 6 + [900, 1400, 1800, 2000, 2100, 2200],
    2022: [2100, 2000, 2500, 2500, 2400, 2300, 2200, 2300, 2400, 2400, 2400, 2500],
    2023: [2200, 2100, 2500, 2600, 2500, 2400, 2300, 2400, 2500, 2500, 2500, 2600],
}

# --- subjects -----------------------------------------------------------------------------
ZONE = ("liangjiang", "Liangjiang New Area", "两江新区")
DISTRICTS = [
    ("yubei", "Yubei District", "渝北区"),
    ("jiangbei", "Jiangbei District", "江北区"),
    ("shapingba", "Shapingba District", "沙坪坝区"),
    ("jiulongpo", "Jiulongpo District", "九龙坡区"),
    ("banan", "Banan District", "巴南区"),
    ("fuling", "Fuling District", "涪陵区"),
    ("yongchuan", "Yongchuan District", "永川区"),
    ("hechuan", "Hechuan District", "合川区"),
]
AUTOMAKERS = [
    ("changan", "Changan Automobile", "长安汽车"),
    ("seres", "SERES Group", "赛力斯集团"),
    ("changan-ford", "Changan Ford", "长安福特"),
    ("avatr", "Avatr Technology", "阿维塔科技"),
    ("deepal", "Deepal Automobile", "深蓝汽车"),
    ("qingling", "Qingling Motors", "庆铃汽车"),
    ("hyundai-cq", "Beijing Hyundai Chongqing", "北京现代重庆工厂"),
    ("kaicheng", "Changan Kaicheng", "长安凯程"),
    ("jinkang", "Chongqing Jinkang NEV", "重庆金康新能源"),
    ("sgmw-cq", "SGMW Chongqing", "上汽通用五菱重庆"),
]
SUPPLIERS = 205
SUPPLIER_KINDS = [
    ("Battery", "电池"), ("Motor", "电机"), ("E-control", "电控"), ("Seating", "座椅"),
    ("Glass", "玻璃"), ("Chassis", "底盘"), ("Electronics", "电子"), ("Castings", "铸件"),
]  # fmt: skip
SANY = ("sany-cq", "Sany Heavy Machinery (Chongqing)", "三一重机（重庆）")
BATTERY_MAKER = ("cq-battery", "Liangjiang Power Battery", "两江动力电池")
TOP_LEVEL_NODES = [
    ("node-beijing", "Beijing top-level node", "北京顶级节点", 0.41),
    ("node-shanghai", "Shanghai top-level node", "上海顶级节点", 0.57),
    ("node-guangzhou", "Guangzhou top-level node", "广州顶级节点", 0.73),
    ("node-wuhan", "Wuhan top-level node", "武汉顶级节点", 0.86),
    ("node-chongqing", "Chongqing top-level node", "重庆顶级节点", CQ_NODE_GROWTH),
]
SECONDARY_NODE = ("node-cq-auto", "Chongqing automotive secondary node", "重庆汽车行业二级节点",
                  "88.118")  # fmt: skip

# --- expos --------------------------------------------------------------------------------
EXPOS = [
    ("sce-2018", "Smart China Expo 2018", date(2018, 8, 23), False, 10),
    ("sce-2019", "Smart China Expo 2019", date(2019, 8, 26), False, 12),
    ("sce-2020", "Smart China Expo 2020 (online and offline)", date(2020, 9, 15), True, 10),
    ("sce-2021", "Smart China Expo 2021 cloud signing", date(2021, 8, 18), True, 25),
    ("sce-2022", "Smart China Expo 2022 (online)", date(2022, 8, 22), True, 18),
    ("sce-2023", "Smart China Expo 2023", date(2023, 9, 4), False, 15),
]
SECTORS = [
    ("C3612", "intelligent connected NEV"), ("C3670", "auto parts"),
    ("C3972", "electronic information"), ("I6510", "digital economy"),
    ("C3511", "equipment manufacturing"), ("C2720", "biomedicine"),
    ("M7320", "modern services"), ("C2651", "new materials"),
]  # fmt: skip
TRACE_PREFIX = "88.118.8160"  # the zone prefix the traced items carry (demo/genealogy.py)
