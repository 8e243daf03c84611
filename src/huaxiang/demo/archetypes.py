"""The planted latent customer types and how each behaves in every table.

The demo's value is that these types are *recoverable*: segments, personas and predictions
built on the imported data should find them again. So each type differs in several places at
once: categories, price level, channels, coupons, time of day, devices, service, social, surveys.
Weights are relative; vectors follow the order of the matching ``vocab`` domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from huaxiang.demo.catalog import CATEGORIES, CATEGORY_INDEX
from huaxiang.demo.timeline import hour_profile

SESSION_KINDS = ("browse", "search", "cart", "signin")
DEVICE_CHANNELS = ("web", "app", "mini_program")
ENGAGEMENTS = ("email", "sms", "wechat", "coupon")


@dataclass(frozen=True)
class Archetype:
    code: str
    zh: str
    en: str
    share: float
    female: float
    ages: tuple[int, int]
    categories: dict[str, float]
    price_alpha: float  # > 1 cheap products, < 1 expensive ones (catalog.pick_products)
    orders: float  # orders per active year
    extra_items: float  # mean extra lines per order
    coupon: float  # share of orders with a coupon
    depth: float  # largest discount share
    returns: float  # multiplier of the category return rate
    sessions: float  # web/app sessions per active year
    engage: float  # email/SMS/WeChat engagements per active year
    tickets: float  # service contacts per active year
    social: float  # social actions per active year
    referrals: float  # referrals per active year
    nps: float  # mean NPS score
    store: float  # chance to be a store member
    churn: float  # churn propensity multiplier
    married: float
    tiers: tuple[float, ...]  # city tier preference, tier 1..5
    hours: tuple[tuple[float, float, float], ...]
    order_channels: tuple[float, ...]  # vocab order_channel
    payment: tuple[float, ...]  # vocab payment
    session_kinds: tuple[float, ...]
    devices: tuple[float, ...]
    engagements: tuple[float, ...]
    ticket_channels: tuple[float, ...]  # vocab ticket_channel
    topics: tuple[float, ...]  # vocab ticket_topic
    platforms: tuple[float, ...]  # vocab social_platform
    motivation: tuple[float, ...]  # vocab motivation
    income: tuple[float, ...]
    education: tuple[float, ...]
    jobs: tuple[tuple[str, str, str, str], ...] = field(default=())  # occupation zh/en, industry zh/en


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "tech_enthusiast", "数码发烧友", "Tech enthusiast", 0.15, 0.2, (22, 40),
        {"手机": 6, "笔记本电脑": 5, "耳机": 5, "智能手表": 4, "数码配件": 5, "家电": 2, "图书": 1},
        0.45, 2.5, 0.5, 0.15, 0.10, 1.0, 14, 6, 0.5, 3, 0.08, 8.0, 0.3, 1.0, 0.35,
        (1.6, 1.4, 1.0, 0.7, 0.5), ((21, 1.5, 1.0), (13, 1.0, 0.3)),
        (0.2, 0.35, 0.15, 0.25, 0.0, 0.05), (0.35, 0.45, 0.2, 0.0),
        (0.35, 0.35, 0.25, 0.05), (0.3, 0.6, 0.1), (0.5, 0.1, 0.3, 0.1),
        (0.1, 0.5, 0.3, 0.1, 0.0), (0.2, 0.25, 0.1, 0.25, 0.1, 0.08, 0.02), (0.5, 0.3, 0.1, 0.1),
        (0.15, 0.45, 0.25, 0.1, 0.05), (0.0, 0.1, 0.35, 0.4, 0.15), (0.0, 0.1, 0.5, 0.3, 0.1),
        (("软件工程师", "Software engineer", "互联网", "Technology"),
         ("产品经理", "Product manager", "互联网", "Technology"),
         ("数据分析师", "Data analyst", "金融", "Finance"),
         ("硬件工程师", "Hardware engineer", "制造业", "Manufacturing")),
    ),
    Archetype(
        "young_mom", "精致妈妈", "Young mom", 0.18, 0.95, (26, 38),
        {"母婴": 8, "童装": 6, "美妆": 4, "护肤": 4, "玩具": 2, "食品": 2, "生鲜": 2, "女装": 2},
        1.1, 5.0, 1.0, 0.5, 0.20, 1.2, 16, 12, 0.8, 5, 0.2, 7.5, 0.5, 1.0, 0.92,
        (1.2, 1.3, 1.1, 0.8, 0.6), ((11, 1.5, 0.6), (21, 1.5, 1.0)),
        (0.25, 0.1, 0.05, 0.15, 0.35, 0.1), (0.6, 0.35, 0.05, 0.0),
        (0.45, 0.2, 0.3, 0.05), (0.1, 0.3, 0.6), (0.2, 0.2, 0.3, 0.3),
        (0.15, 0.5, 0.05, 0.25, 0.05), (0.3, 0.2, 0.1, 0.2, 0.05, 0.13, 0.02), (0.1, 0.2, 0.6, 0.1),
        (0.3, 0.35, 0.1, 0.1, 0.15), (0.1, 0.35, 0.35, 0.15, 0.05), (0.1, 0.25, 0.5, 0.13, 0.02),
        (("全职妈妈", "Homemaker", "", ""), ("教师", "Teacher", "教育", "Education"),
         ("会计", "Accountant", "金融", "Finance"), ("护士", "Nurse", "医疗", "Healthcare"),
         ("人力资源专员", "HR specialist", "服务业", "Services")),
    ),
    Archetype(
        "bargain_student", "价格敏感学生", "Bargain-hunting student", 0.17, 0.55, (18, 24),
        {"食品": 4, "文具": 4, "图书": 3, "数码配件": 3, "女装": 2, "男装": 2, "运动鞋": 2, "美妆": 2, "个护": 2, "耳机": 1.5},
        2.2, 4.0, 0.4, 0.8, 0.25, 1.1, 24, 6, 0.4, 6, 0.25, 6.8, 0.15, 1.5, 0.02,
        (1.3, 1.4, 1.1, 0.9, 0.7), ((23, 1.5, 1.0), (15, 2.0, 0.4)),
        (0.35, 0.2, 0.05, 0.2, 0.18, 0.02), (0.5, 0.5, 0.0, 0.0),
        (0.25, 0.45, 0.25, 0.05), (0.2, 0.5, 0.3), (0.1, 0.1, 0.2, 0.6),
        (0.05, 0.7, 0.05, 0.2, 0.0), (0.3, 0.2, 0.1, 0.25, 0.05, 0.08, 0.02), (0.2, 0.6, 0.15, 0.05),
        (0.6, 0.1, 0.05, 0.2, 0.05), (0.75, 0.2, 0.05, 0.0, 0.0), (0.1, 0.3, 0.5, 0.1, 0.0),
        (("学生", "Student", "在校学生", "Student"), ("研究生", "Graduate student", "在校学生", "Student"),
         ("实习生", "Intern", "互联网", "Technology")),
    ),
    Archetype(
        "business_elite", "商务精英", "Business professional", 0.12, 0.3, (30, 55),
        {"男装": 5, "箱包": 4, "酒水": 4, "珠宝": 2, "笔记本电脑": 2, "手机": 2, "香水": 1.5},
        0.5, 1.8, 0.5, 0.05, 0.08, 0.6, 5, 4, 0.5, 1, 0.1, 8.2, 0.4, 0.7, 0.75,
        (2.0, 1.3, 0.9, 0.5, 0.3), ((8, 1.0, 0.6), (12.5, 1.0, 0.8), (22, 1.0, 0.5)),
        (0.15, 0.3, 0.25, 0.15, 0.0, 0.15), (0.3, 0.3, 0.4, 0.0),
        (0.5, 0.2, 0.2, 0.1), (0.5, 0.5, 0.0), (0.7, 0.2, 0.1, 0.0),
        (0.5, 0.2, 0.3, 0.0, 0.0), (0.3, 0.2, 0.15, 0.2, 0.05, 0.08, 0.02), (0.5, 0.1, 0.1, 0.3),
        (0.05, 0.3, 0.5, 0.05, 0.1), (0.0, 0.0, 0.15, 0.45, 0.4), (0.0, 0.05, 0.4, 0.4, 0.15),
        (("企业高管", "Executive", "金融", "Finance"), ("销售总监", "Sales director", "制造业", "Manufacturing"),
         ("律师", "Lawyer", "法律", "Legal"), ("企业主", "Business owner", "贸易", "Trade"),
         ("咨询顾问", "Consultant", "咨询", "Consulting")),
    ),
    Archetype(
        "outdoor_lover", "户外运动达人", "Outdoor enthusiast", 0.14, 0.4, (25, 45),
        {"户外": 8, "运动鞋": 6, "智能手表": 2, "生鲜": 1, "汽车用品": 2, "箱包": 1},
        0.8, 2.5, 0.6, 0.25, 0.15, 1.0, 10, 5, 0.5, 4, 0.18, 7.8, 0.45, 0.9, 0.55,
        (1.2, 1.3, 1.1, 0.8, 0.6), ((7, 1.0, 0.5), (20, 1.5, 1.0)),
        (0.25, 0.2, 0.1, 0.25, 0.05, 0.15), (0.5, 0.4, 0.1, 0.0),
        (0.45, 0.25, 0.25, 0.05), (0.2, 0.7, 0.1), (0.3, 0.2, 0.3, 0.2),
        (0.2, 0.4, 0.2, 0.1, 0.1), (0.25, 0.25, 0.1, 0.2, 0.1, 0.08, 0.02), (0.2, 0.4, 0.3, 0.1),
        (0.15, 0.45, 0.2, 0.1, 0.1), (0.05, 0.25, 0.4, 0.25, 0.05), (0.05, 0.2, 0.55, 0.17, 0.03),
        (("健身教练", "Fitness coach", "体育", "Sports"), ("摄影师", "Photographer", "传媒", "Media"),
         ("工程师", "Engineer", "制造业", "Manufacturing"), ("公务员", "Civil servant", "政府机关", "Government")),
    ),
    Archetype(
        "silver_homebody", "银发居家", "Silver homebody", 0.24, 0.55, (55, 78),
        {"家居": 5, "保健品": 6, "食品": 4, "生鲜": 4, "床上用品": 3, "厨具": 3, "家电": 2},
        1.3, 3.0, 0.8, 0.3, 0.10, 0.5, 3, 4, 1.0, 1, 0.12, 7.2, 0.7, 1.0, 0.8,
        (0.8, 1.0, 1.1, 1.1, 1.2), ((9, 1.5, 1.0), (15, 1.5, 0.4)),
        (0.1, 0.15, 0.02, 0.05, 0.2, 0.48), (0.4, 0.15, 0.2, 0.25),
        (0.6, 0.1, 0.25, 0.05), (0.15, 0.15, 0.7), (0.05, 0.45, 0.5, 0.0),
        (0.7, 0.05, 0.0, 0.1, 0.15), (0.2, 0.2, 0.1, 0.35, 0.1, 0.05, 0.0), (0.0, 0.2, 0.0, 0.8),
        (0.35, 0.3, 0.1, 0.0, 0.25), (0.35, 0.4, 0.2, 0.05, 0.0), (0.5, 0.25, 0.2, 0.05, 0.0),
        (("退休", "Retired", "", ""), ("退休教师", "Retired teacher", "教育", "Education"),
         ("个体户", "Self-employed", "零售", "Retail"), ("退休工人", "Retired worker", "制造业", "Manufacturing")),
    ),
)


def vector(name: str) -> np.ndarray:
    """One scalar parameter for every type, indexed by type."""
    return np.array([getattr(a, name) for a in ARCHETYPES], dtype=float)


def matrix(name: str) -> np.ndarray:
    """A weight vector parameter for every type: types x options."""
    return np.array([getattr(a, name) for a in ARCHETYPES], dtype=float)


def category_weights() -> np.ndarray:
    """Types x categories; every category keeps a little weight so everyone buys a bit of all."""
    w = np.full((len(ARCHETYPES), len(CATEGORIES)), 0.25)
    for t, arche in enumerate(ARCHETYPES):
        for name, weight in arche.categories.items():
            w[t, CATEGORY_INDEX[name]] = weight
    return w


def hours() -> np.ndarray:
    """Types x 24 hour-of-day weights."""
    return np.array([hour_profile(a.hours) for a in ARCHETYPES])
