"""Enumerated values as they appear in the demo files, per locale, with their canonical codes.

A generator draws an index; the writer shows ``labels(domain, locale)[index]``; the source YAML
maps those labels to ``codes`` with ``values:`` so every locale lands on the same canonical
values. One table, so the data files and the source definitions cannot drift apart.
"""

from __future__ import annotations

from typing import NamedTuple


class Domain(NamedTuple):
    zh: tuple[str, ...]
    en: tuple[str, ...]
    codes: tuple[str, ...] | None = None  # canonical values; None: kept as given, unless in _LOCAL_CODES


VOCAB: dict[str, Domain] = {
    "gender": Domain(("男", "女"), ("Male", "Female"), ("M", "F")),
    "order_status": Domain(
        ("已完成", "已退款", "部分退款", "已取消"),
        ("Completed", "Refunded", "Partially refunded", "Cancelled"),
        ("completed", "refunded", "partially_refunded", "cancelled"),
    ),
    # 0-1 marketplaces (orders carry the buyer's phone), 2-4 own channels (customer id), 5 store (member id)
    "order_channel": Domain(
        ("天猫", "京东", "官网", "APP", "小程序", "门店"),
        ("Amazon", "eBay", "Website", "App", "Social shop", "Store"),
        None,
    ),
    "payment": Domain(
        ("微信支付", "支付宝", "银联", "现金"),
        ("Apple Pay", "PayPal", "Credit card", "Cash"),
        None,
    ),
    "member_level": Domain(("普通", "银卡", "金卡", "钻石"), ("Basic", "Silver", "Gold", "Diamond")),
    "acquisition": Domain(
        ("官网注册", "APP注册", "小程序", "门店", "线下活动", "朋友推荐", "广告投放"),
        ("Website", "App", "Social shop", "Store", "Event", "Referral", "Ads"),
    ),
    "income": Domain(
        ("5000以下", "5000-10000", "10000-20000", "20000-50000", "50000以上"),
        ("Under $30k", "$30k-60k", "$60k-100k", "$100k-200k", "Over $200k"),
    ),
    "education": Domain(
        ("高中及以下", "大专", "本科", "硕士", "博士"),
        ("High school", "Associate", "Bachelor", "Master", "Doctorate"),
    ),
    "marital": Domain(("未婚", "已婚", "离异"), ("Single", "Married", "Divorced")),
    "ticket_channel": Domain(("电话", "在线客服", "邮件", "微信", "门店"), ("Phone", "Live chat", "Email", "SMS", "Store")),
    "ticket_kind": Domain(("来电", "在线会话", "工单"), ("Call", "Chat", "Ticket"), ("call", "chat", "ticket")),
    "ticket_topic": Domain(
        ("物流投诉", "质量投诉", "服务投诉", "咨询", "表扬", "退换货", "取消订单"),
        ("Delivery complaint", "Quality complaint", "Service complaint", "Question", "Praise", "Return", "Cancellation"),
    ),
    "ticket_status": Domain(
        ("待处理", "处理中", "已解决", "已关闭"),
        ("Open", "Pending", "Resolved", "Closed"),
        ("open", "pending", "resolved", "closed"),
    ),
    "social_platform": Domain(("微博", "抖音", "小红书", "微信"), ("X", "TikTok", "Instagram", "Facebook")),
    "social_action": Domain(
        ("post", "comment", "share", "like", "follow"),
        ("post", "comment", "share", "like", "follow"),
        ("social_post", "social_comment", "share", "like", "follow"),
    ),
    "referral_channel": Domain(("微信分享", "朋友圈", "面对面", "短信"), ("Share link", "Social post", "In person", "Text message")),
    "yes_no": Domain(("是", "否"), ("Yes", "No"), ("true", "false")),
    "survey_type": Domain(("NPS", "满意度", "画像"), ("NPS", "CSAT", "Profile"), ("nps", "csat", "profile")),
    "motivation": Domain(
        ("性价比", "品质", "品牌", "潮流", "便利"),
        ("Value for money", "Quality", "Brand", "Trends", "Convenience"),
    ),
    "consent_purpose": Domain(
        ("营销邮件", "短信营销", "微信推送", "个性化画像", "第三方共享"),
        ("Email marketing", "SMS marketing", "Messenger marketing", "Profiling", "Third-party sharing"),
    ),
    "consent_status": Domain(("同意", "拒绝", "撤回"), ("Granted", "Denied", "Withdrawn"), ("granted", "denied", "withdrawn")),
    "consent_via": Domain(("注册", "APP设置", "门店", "客服"), ("Sign-up", "App settings", "In store", "Customer service")),
}

# Domains whose canonical codes differ by locale (Tmall is not Amazon, WeChat is not SMS).
_LOCAL_CODES = {
    "order_channel": {"zh": ("tmall", "jd", "web", "app", "mini_program", "store"),
                      "en": ("amazon", "ebay", "web", "app", "social_shop", "store")},
    "payment": {"zh": ("wechat_pay", "alipay", "unionpay", "cash"), "en": ("apple_pay", "paypal", "card", "cash")},
    "ticket_channel": {"zh": ("phone", "chat", "email", "wechat", "store"), "en": ("phone", "chat", "email", "sms", "store")},
    "social_platform": {"zh": ("weibo", "douyin", "xiaohongshu", "wechat"), "en": ("x", "tiktok", "instagram", "facebook")},
    "referral_channel": {"zh": ("wechat_share", "moments", "face_to_face", "sms"),
                         "en": ("link_share", "social_post", "face_to_face", "sms")},
    "consent_purpose": {"zh": ("marketing_email", "sms", "wechat", "profiling", "third_party_sharing"),
                        "en": ("marketing_email", "sms", "messenger", "profiling", "third_party_sharing")},
}


def labels(domain: str, locale: str) -> tuple[str, ...]:
    d = VOCAB[domain]
    return d.zh if locale == "zh" else d.en


def codes(domain: str, locale: str) -> tuple[str, ...] | None:
    if domain in _LOCAL_CODES:
        return _LOCAL_CODES[domain][locale]
    return VOCAB[domain].codes


def value_map(domain: str, locale: str) -> dict[str, str]:
    """The ``values:`` entry of a source YAML: file label -> canonical code."""
    found = codes(domain, locale)
    return {} if found is None else dict(zip(labels(domain, locale), found))
