"""The fictional retailer's product catalog: 30 categories, brands, products and prices (CNY / USD).

Products in a category are sorted by price, so a customer type's price taste is a single
exponent (see ``pick_products``): students draw near the cheap end, tech enthusiasts near the top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from huaxiang.demo.sampling import step_rng

PRODUCTS_PER_CATEGORY = 20


class Category(NamedTuple):
    zh: str
    en: str
    nouns_zh: tuple[str, ...]  # what the products are called
    noun_en: str
    low: float  # typical lowest and highest list price (CNY)
    high: float
    brands_zh: tuple[str, ...]
    brands_en: tuple[str, ...]
    multi: bool = False  # bought by several units at once (food, diapers…)
    returns: float = 0.04  # base return rate of an item


def _c(zh, en, nouns, low, high, bzh, ben, multi=False, returns=0.04) -> Category:
    nzh, nen = nouns.split("|")
    return Category(zh, en, tuple(nzh.split()), nen, low, high, tuple(bzh.split()), tuple(ben.split("|")), multi, returns)


CATEGORIES: tuple[Category, ...] = (
    _c("手机", "Phones", "智能手机|Smartphone", 999, 8999, "华为 小米 苹果 OPPO vivo 荣耀", "Apple|Samsung|Google|Motorola|OnePlus"),
    _c("笔记本电脑", "Laptops", "轻薄本 游戏本|Laptop", 2999, 14999, "联想 华为 苹果 戴尔 惠普 华硕", "Lenovo|Apple|Dell|HP|ASUS|Microsoft"),
    _c("耳机", "Headphones", "无线耳机 降噪耳机|Wireless Earbuds", 99, 2499, "索尼 漫步者 苹果 华为 森海塞尔", "Sony|Apple|Bose|Beats|Sennheiser"),
    _c("智能手表", "Smartwatches", "智能手表 运动手环|Smartwatch", 299, 3999, "华为 苹果 小米 佳明", "Apple|Samsung|Garmin|Fitbit"),
    _c("家电", "Home appliances", "空气净化器 扫地机器人 洗碗机|Air Purifier", 299, 7999, "美的 格力 海尔 西门子 戴森", "Whirlpool|GE|Samsung|LG|Dyson"),
    _c("厨具", "Kitchenware", "不粘锅 电饭煲|Cookware Set", 49, 1499, "苏泊尔 九阳 双立人 爱仕达", "KitchenAid|Cuisinart|Lodge|OXO"),
    _c("美妆", "Makeup", "口红 粉底液|Lipstick", 79, 599, "完美日记 花西子 兰蔻 迪奥 雅诗兰黛", "Maybelline|L'Oréal|Fenty Beauty|MAC"),
    _c("护肤", "Skincare", "精华液 面霜|Serum", 99, 1499, "珀莱雅 薇诺娜 兰蔻 雅诗兰黛 SK-II", "CeraVe|Neutrogena|Clinique|Olay"),
    _c("香水", "Perfume", "淡香水|Eau de Parfum", 299, 1999, "香奈儿 迪奥 祖玛珑 古驰", "Chanel|Dior|Jo Malone|Gucci"),
    _c("女装", "Womenswear", "连衣裙 针织衫|Dress", 79, 1199, "优衣库 ZARA 太平鸟 ONLY", "Uniqlo|Zara|H&M|Anthropologie", returns=0.16),
    _c("男装", "Menswear", "衬衫 西装|Shirt", 99, 2999, "海澜之家 雅戈尔 优衣库 杰克琼斯 利郎", "Uniqlo|Ralph Lauren|Brooks Brothers|J.Crew", returns=0.12),
    _c("童装", "Kidswear", "儿童T恤 儿童外套|Kids Tee", 49, 399, "巴拉巴拉 安奈儿 优衣库", "Carter's|Gap Kids|OshKosh", returns=0.10),
    _c("运动鞋", "Sneakers", "跑步鞋 篮球鞋|Running Shoe", 199, 1499, "耐克 阿迪达斯 安踏 李宁 特步", "Nike|Adidas|New Balance|Asics", returns=0.12),
    _c("户外", "Outdoor gear", "冲锋衣 登山包 帐篷|Hiking Jacket", 149, 2999, "探路者 始祖鸟 北面 骆驼 凯乐石", "The North Face|Patagonia|Arc'teryx|Columbia"),
    _c("母婴", "Baby & maternity", "纸尿裤 婴儿奶粉|Diapers", 59, 799, "飞鹤 好奇 帮宝适 贝亲", "Pampers|Huggies|Similac|Graco", multi=True),
    _c("食品", "Food & snacks", "坚果礼盒 零食大礼包|Snack Box", 19, 199, "三只松鼠 良品铺子 百草味", "Kellogg's|Lay's|Nature Valley", multi=True, returns=0.01),
    _c("生鲜", "Fresh produce", "水果礼盒 牛排|Fruit Box", 19, 299, "盒马 百果园 每日优鲜", "Whole Foods|Driscoll's|Sunkist", multi=True, returns=0.02),
    _c("酒水", "Wine & spirits", "白酒 红酒|Whisky", 79, 2999, "茅台 五粮液 张裕 拉菲", "Johnnie Walker|Hennessy|Robert Mondavi", multi=True, returns=0.01),
    _c("图书", "Books", "畅销书 绘本|Book", 19, 149, "中信出版 人民文学 商务印书馆", "Penguin|HarperCollins|O'Reilly", returns=0.02),
    _c("文具", "Stationery", "中性笔 笔记本|Notebook", 9, 149, "晨光 得力 百乐", "Moleskine|Pilot|Staedtler", multi=True, returns=0.02),
    _c("玩具", "Toys", "积木 遥控车|Building Set", 49, 799, "乐高 费雪 奥迪双钻", "LEGO|Mattel|Hasbro"),
    _c("宠物用品", "Pet supplies", "猫粮 狗粮|Pet Food", 29, 499, "皇家 渴望 网易严选", "Purina|Blue Buffalo|KONG", multi=True),
    _c("家居", "Home decor", "台灯 收纳盒|Table Lamp", 49, 1999, "宜家 无印良品 源氏木语", "IKEA|Wayfair|West Elm"),
    _c("床上用品", "Bedding", "四件套 蚕丝被|Duvet", 99, 1499, "罗莱 富安娜 水星家纺", "Casper|Brooklinen|Parachute"),
    _c("珠宝", "Jewelry", "黄金项链 手链|Necklace", 499, 9999, "周大福 老凤祥 潘多拉", "Tiffany|Pandora|Kay"),
    _c("箱包", "Bags & luggage", "拉杆箱 双肩包|Carry-on", 199, 4999, "新秀丽 蔻驰 小米", "Samsonite|Coach|Tumi"),
    _c("汽车用品", "Car accessories", "车载充气泵 行车记录仪|Dash Cam", 49, 999, "3M 米其林 途虎", "3M|Michelin|Armor All"),
    _c("保健品", "Supplements", "维生素 鱼油|Multivitamin", 79, 799, "汤臣倍健 善存 Swisse", "Centrum|Nature Made|Garden of Life", multi=True),
    _c("个护", "Personal care", "电动牙刷 剃须刀|Electric Toothbrush", 19, 299, "飞利浦 舒适 高露洁", "Philips|Gillette|Colgate|Dove", multi=True),
    _c("数码配件", "Digital accessories", "充电器 数据线|Charger", 29, 399, "安克 绿联 倍思", "Anker|Belkin|Logitech"),
)

CATEGORY_INDEX = {c.zh: i for i, c in enumerate(CATEGORIES)}
_VARIANTS = {
    "zh": ("标准版", "经典款", "升级版", "轻享版", "Pro", "Plus", "旗舰款", "限定款", "Max", "青春版"),
    "en": ("Classic", "Essential", "Plus", "Pro", "Lite", "Max", "Signature", "Limited", "Sport", "Ultra"),
}


@dataclass(frozen=True)
class Catalog:
    """All products, indexed ``category * PRODUCTS_PER_CATEGORY + rank`` (rank 0 = cheapest)."""

    product_id: np.ndarray
    name: np.ndarray
    brand: np.ndarray
    category: np.ndarray  # category index
    price: np.ndarray
    category_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.price)


def build_catalog(locale: str) -> Catalog:
    """A fixed catalog (its own seed, so every demo sells the same products)."""
    rng = step_rng(20260630, 0)
    ids, names, brands, cats, prices = [], [], [], [], []
    for ci, cat in enumerate(CATEGORIES):
        brand_pool = cat.brands_zh if locale == "zh" else cat.brands_en
        raw = np.exp(rng.uniform(np.log(cat.low), np.log(cat.high), PRODUCTS_PER_CATEGORY))
        for rank, price in enumerate(np.sort(raw)):
            brand = brand_pool[rng.integers(len(brand_pool))]
            variant = _VARIANTS[locale][rng.integers(len(_VARIANTS[locale]))]
            noun = cat.nouns_zh[rank % len(cat.nouns_zh)] if locale == "zh" else cat.noun_en
            ids.append(f"P{ci + 1:02d}{rank + 1:03d}")
            names.append(f"{brand} {noun} {variant}")
            brands.append(brand)
            cats.append(ci)
            prices.append(_shelf_price(price) if locale == "zh" else _us_price(price / 7))
    names_of = tuple(c.zh if locale == "zh" else c.en for c in CATEGORIES)
    return Catalog(np.array(ids), np.array(names), np.array(brands), np.array(cats), np.array(prices), names_of)


def _shelf_price(price: float) -> float:
    """Prices as shops write them: 1299, 89.9, 9.9."""
    if price >= 200:
        return float(np.round(price / 100) * 100 - 1)
    return float(np.floor(price) + 0.9)


def _us_price(price: float) -> float:
    """Dollar prices end in .99: 129.99, 8.99."""
    return float(np.floor(price) + 0.99) if price < 50 else float(np.round(price / 10) * 10 - 0.01)


def pick_products(rng: np.random.Generator, category: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """A product per row in the row's category; ``alpha`` > 1 leans cheap, < 1 leans expensive."""
    rank = np.floor(rng.random(len(category)) ** alpha * PRODUCTS_PER_CATEGORY).astype(np.int64)
    return category * PRODUCTS_PER_CATEGORY + np.minimum(rank, PRODUCTS_PER_CATEGORY - 1)
