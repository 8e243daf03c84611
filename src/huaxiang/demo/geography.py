"""Where customers live: real provinces, cities with their tier, districts and streets.

Cities are drawn by population weighted by tier (a retailer has more customers in big cities)
and by the customer type's tier preference. The address text is built from real district
names and common street names, so address standardizers and city-tier traits have real work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from huaxiang.demo.sampling import choice_by_group
from huaxiang.demo.strs import S, digits, join, labels

TIER_NAMES = ("一线", "新一线", "二线", "三线", "四线及以下")
TIER_BOOST = (2.0, 1.5, 1.0, 0.7, 0.5)

# province | city | tier | urban population (millions) | districts
_CN = """
北京市|北京市|1|21.9|朝阳区 海淀区 东城区 西城区 丰台区 通州区 昌平区 大兴区
上海市|上海市|1|24.9|浦东新区 黄浦区 徐汇区 静安区 长宁区 普陀区 闵行区 杨浦区
广东省|广州市|1|18.7|天河区 越秀区 海珠区 番禺区 白云区 荔湾区 黄埔区
广东省|深圳市|1|17.7|南山区 福田区 罗湖区 宝安区 龙岗区 龙华区
四川省|成都市|2|21.0|锦江区 青羊区 武侯区 成华区 金牛区 双流区 郫都区
浙江省|杭州市|2|12.4|西湖区 上城区 拱墅区 滨江区 余杭区 萧山区
重庆市|重庆市|2|22.0|渝中区 江北区 南岸区 沙坪坝区 九龙坡区 渝北区
湖北省|武汉市|2|13.7|武昌区 江汉区 江岸区 洪山区 汉阳区 硚口区
陕西省|西安市|2|13.0|雁塔区 碑林区 新城区 莲湖区 未央区 长安区
江苏省|苏州市|2|12.9|姑苏区 吴中区 相城区 虎丘区 吴江区
江苏省|南京市|2|9.5|玄武区 秦淮区 鼓楼区 建邺区 江宁区 栖霞区
天津市|天津市|2|13.6|和平区 南开区 河西区 河东区 河北区 滨海新区
湖南省|长沙市|2|10.4|岳麓区 芙蓉区 天心区 开福区 雨花区
河南省|郑州市|2|12.8|金水区 中原区 二七区 管城回族区 惠济区
广东省|东莞市|2|10.5|南城街道 东城街道 长安镇 虎门镇 松山湖
山东省|青岛市|2|10.3|市南区 市北区 崂山区 李沧区 黄岛区 城阳区
辽宁省|沈阳市|2|9.1|和平区 沈河区 皇姑区 铁西区 大东区 浑南区
浙江省|宁波市|2|9.6|海曙区 江北区 鄞州区 镇海区 北仑区
云南省|昆明市|2|8.5|五华区 盘龙区 官渡区 西山区 呈贡区
安徽省|合肥市|3|9.6|蜀山区 庐阳区 包河区 瑶海区
广东省|佛山市|3|9.5|禅城区 南海区 顺德区
福建省|福州市|3|8.3|鼓楼区 台江区 仓山区 晋安区
江苏省|无锡市|3|7.5|梁溪区 滨湖区 新吴区 锡山区
福建省|厦门市|3|5.3|思明区 湖里区 集美区 海沧区
黑龙江省|哈尔滨市|3|9.9|南岗区 道里区 香坊区 道外区
山东省|济南市|3|9.4|历下区 市中区 槐荫区 天桥区 历城区
浙江省|温州市|3|9.6|鹿城区 龙湾区 瓯海区
广西壮族自治区|南宁市|3|8.8|青秀区 兴宁区 西乡塘区 江南区
吉林省|长春市|3|9.1|朝阳区 南关区 宽城区 绿园区
福建省|泉州市|3|8.8|丰泽区 鲤城区 洛江区
河北省|石家庄市|3|11.2|长安区 桥西区 新华区 裕华区
贵州省|贵阳市|3|6.0|南明区 云岩区 观山湖区
江西省|南昌市|3|6.4|东湖区 西湖区 青山湖区 红谷滩区
浙江省|金华市|3|7.1|婺城区 金东区
江苏省|常州市|3|5.3|天宁区 钟楼区 新北区 武进区
江苏省|南通市|3|7.7|崇川区 通州区
山西省|太原市|3|5.4|小店区 迎泽区 杏花岭区 万柏林区
江苏省|徐州市|3|9.0|云龙区 鼓楼区 泉山区
广东省|惠州市|3|6.0|惠城区 惠阳区
广东省|珠海市|3|2.5|香洲区 斗门区 金湾区
浙江省|台州市|3|6.6|椒江区 黄岩区 路桥区
山东省|烟台市|3|7.1|芝罘区 莱山区 福山区
甘肃省|兰州市|3|4.4|城关区 七里河区 安宁区
浙江省|绍兴市|3|5.3|越城区 柯桥区 上虞区
海南省|海口市|3|2.9|龙华区 美兰区 秀英区
辽宁省|大连市|3|7.5|中山区 西岗区 沙河口区 甘井子区
河南省|洛阳市|4|7.1|西工区 老城区 涧西区 洛龙区
江苏省|扬州市|4|4.6|广陵区 邗江区
安徽省|芜湖市|4|3.6|镜湖区 鸠江区 弋江区
江西省|赣州市|4|9.0|章贡区 南康区
内蒙古自治区|呼和浩特市|4|3.4|新城区 回民区 赛罕区
新疆维吾尔自治区|乌鲁木齐市|4|4.1|天山区 沙依巴克区 新市区
宁夏回族自治区|银川市|4|2.9|兴庆区 金凤区 西夏区
青海省|西宁市|4|2.5|城东区 城中区 城西区
广西壮族自治区|桂林市|4|4.9|秀峰区 象山区 七星区
河北省|保定市|4|9.2|竞秀区 莲池区
山东省|潍坊市|4|9.4|奎文区 潍城区
四川省|绵阳市|4|4.9|涪城区 游仙区
湖北省|宜昌市|4|3.9|西陵区 伍家岗区
湖南省|株洲市|4|3.9|天元区 芦淞区 荷塘区
海南省|三亚市|4|1.0|吉阳区 天涯区
西藏自治区|拉萨市|4|0.9|城关区
江西省|九江市|5|4.6|浔阳区 濂溪区
湖南省|岳阳市|5|5.0|岳阳楼区 云溪区
湖南省|常德市|5|5.3|武陵区 鼎城区
安徽省|蚌埠市|5|3.3|蚌山区 龙子湖区
河南省|开封市|5|4.8|鼓楼区 龙亭区
山西省|大同市|5|3.1|平城区 云冈区
辽宁省|丹东市|5|2.2|振兴区 元宝区
黑龙江省|齐齐哈尔市|5|4.1|龙沙区 建华区
云南省|曲靖市|5|5.8|麒麟区 沾益区
贵州省|遵义市|5|6.6|红花岗区 汇川区
广东省|汕头市|5|5.5|金平区 龙湖区
广东省|湛江市|5|7.0|赤坎区 霞山区
四川省|南充市|5|5.6|顺庆区 高坪区
陕西省|宝鸡市|5|3.3|渭滨区 金台区
甘肃省|天水市|5|3.0|秦州区 麦积区
内蒙古自治区|包头市|5|2.7|昆都仑区 青山区 东河区
吉林省|吉林市|5|3.6|船营区 昌邑区 丰满区
"""

# state | city | tier | population (millions) | area codes | ZIP prefix
_US = """
NY|New York|1|8.3|212 718 917|100
CA|Los Angeles|1|3.9|213 310 323|900
IL|Chicago|1|2.7|312 773|606
TX|Houston|1|2.3|713 832|770
CA|San Francisco|1|0.8|415 628|941
MA|Boston|1|0.7|617 857|021
WA|Seattle|1|0.75|206|981
DC|Washington|1|0.7|202|200
AZ|Phoenix|2|1.6|602 480|850
PA|Philadelphia|2|1.6|215 267|191
TX|San Antonio|2|1.5|210|782
CA|San Diego|2|1.4|619 858|921
TX|Dallas|2|1.3|214 972|752
CA|San Jose|2|1.0|408|951
TX|Austin|2|1.0|512|787
CO|Denver|2|0.7|303 720|802
GA|Atlanta|2|0.5|404 678|303
FL|Miami|2|0.45|305 786|331
FL|Jacksonville|3|0.95|904|322
OH|Columbus|3|0.9|614|432
NC|Charlotte|3|0.9|704|282
IN|Indianapolis|3|0.9|317|462
TN|Nashville|3|0.7|615|372
OR|Portland|3|0.65|503|972
NV|Las Vegas|3|0.65|702|891
MN|Minneapolis|3|0.43|612|554
MI|Detroit|4|0.63|313|482
FL|Orlando|4|0.3|407|328
UT|Salt Lake City|4|0.2|801|841
MO|Kansas City|4|0.5|816|641
NM|Albuquerque|4|0.56|505|871
NE|Omaha|5|0.49|402|681
ID|Boise|5|0.24|208|837
VT|Burlington|5|0.05|802|054
"""

_CN_STREETS = (
    "人民路 解放路 中山路 建设路 和平路 新华路 科苑路 文化路 长江路 黄河路 青年路 光明路 幸福路 胜利路 "
    "朝阳路 东风路 延安路 环城路 学府路 滨江路 湖滨路 创业路 育才路 花园路 振兴路 金融街 工业大道 世纪大道"
).split()
_CN_COMPOUNDS = "阳光花园 碧桂园 万科城 翠苑小区 金色家园 锦绣江南 幸福里 龙湖春江 保利花园 华润城 绿地世纪城 紫薇花园 新城国际 滨江壹号".split()
_US_STREETS = "Main Oak Maple Pine Cedar Elm Washington Lake Hill Park Sunset Lincoln Jefferson Madison Walnut River Highland Church".split()
_US_SUFFIX = ("St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Ct")


@dataclass(frozen=True)
class Places:
    province: tuple[str, ...]
    city: tuple[str, ...]
    tier: np.ndarray  # 1..5
    weight: np.ndarray
    districts: tuple[tuple[str, ...], ...]  # zh: districts; en: area codes
    zip_prefix: tuple[str, ...]  # en only


def places(locale: str) -> Places:
    rows = [line.split("|") for line in (_CN if locale == "zh" else _US).strip().splitlines()]
    tier = np.array([int(r[2]) for r in rows])
    weight = np.array([float(r[3]) for r in rows]) * np.array(TIER_BOOST)[tier - 1]
    return Places(
        tuple(r[0] for r in rows), tuple(r[1] for r in rows), tier, weight / weight.sum(),
        tuple(tuple(r[4].split()) for r in rows), tuple(r[5] if len(r) > 5 else "" for r in rows),
    )


def pick_cities(rng: np.random.Generator, where: Places, types: np.ndarray, tier_pref: np.ndarray) -> np.ndarray:
    """A city per person: population x tier boost x the type's taste for city tiers."""
    probs = where.weight[None, :] * tier_pref[:, where.tier - 1]
    return choice_by_group(rng, types, probs)


def pick_districts(rng: np.random.Generator, where: Places, city: np.ndarray) -> np.ndarray:
    """A district (zh) or area code (en) per person, from their city's list."""
    sizes = np.array([len(d) for d in where.districts])
    flat = np.array([d for ds in where.districts for d in ds], dtype=S)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return flat[offsets[city] + (rng.random(len(city)) * sizes[city]).astype(np.int64)]


def street_address(rng: np.random.Generator, locale: str, n: int) -> np.ndarray:
    """The street part of an address: 科苑路15号阳光花园3栋1202室 / 1520 Oak St Apt 4."""
    if locale == "zh":
        street = join(labels(_CN_STREETS, rng.integers(0, len(_CN_STREETS), n)), digits(rng.integers(1, 400, n), 1), "号")
        flat = join(labels(_CN_COMPOUNDS, rng.integers(0, len(_CN_COMPOUNDS), n)), digits(rng.integers(1, 30, n), 1), "栋",
                    digits(rng.integers(1, 33, n), 1), digits(rng.integers(1, 6, n), 2), "室")
        return np.where(rng.random(n) < 0.6, join(street, flat), street).astype(S)
    street = join(digits(rng.integers(10, 9999, n), 1), " ", labels(_US_STREETS, rng.integers(0, len(_US_STREETS), n)),
                  " ", labels(_US_SUFFIX, rng.integers(0, len(_US_SUFFIX), n)))
    apt = join(street, " Apt ", digits(rng.integers(1, 40, n), 1))
    return np.where(rng.random(n) < 0.35, apt, street).astype(S)


STORES_PER_TIER = (6, 3, 2, 1, 1)


@dataclass(frozen=True)
class Stores:
    """The retailer's stores: a few in every city, more in big ones."""

    store_id: np.ndarray  # S0001…
    city: np.ndarray
    first: np.ndarray  # per city: index of its first store
    count: np.ndarray  # per city: how many stores

    def near(self, rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
        """A store index in each person's city."""
        return self.first[city] + (rng.random(len(city)) * self.count[city]).astype(np.int64)


def stores(where: Places) -> Stores:
    count = np.array(STORES_PER_TIER)[where.tier - 1]
    city = np.repeat(np.arange(len(count)), count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    return Stores(join("S", digits(np.arange(1, len(city) + 1), 4)), city, first, count)
