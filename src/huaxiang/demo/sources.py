"""The ten demo sources: headers per locale, canonical targets, value mappings, planted noise."""

from __future__ import annotations

from huaxiang.demo.specs import Field as F
from huaxiang.demo.specs import SourceSpec

_UTF8 = {"zh": "utf-8", "en": "utf-8"}
_REFS = (F("customer_key", "客户编号", "Customer ID"), F("phone", "手机号", "Phone"))

CRM = SourceSpec(
    "crm_contacts", "customers", "csv", "crm_contacts.csv",
    (
        F("crm_id", "客户编号", "Customer ID"), F("name", "姓名", "Name"),
        F("gender", "性别", "Gender", values="gender"),
        F("birth_date", "出生日期", "Birth date", formats={
            "zh": ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"], "en": ["%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y"]}),
        F("phone", "手机号", "Phone"), F("email", "邮箱", "Email"),
        F("province", "省份", "State"), F("city", "城市", "City"), F("address", "地址", "Address"),
        F("occupation", "职业", "Occupation"), F("industry", "行业", "Industry"),
        F("income_level", "收入水平", "Income"), F("education", "学历", "Education"),
        F("marital_status", "婚姻状况", "Marital status"), F("member_id", "会员号", "Member ID"),
        F("registered_at", "注册时间", "Registered at"), F("acquisition_channel", "来源渠道", "Source"),
        F("updated_at", "最后更新", "Last updated"),
    ),
    ("CRM 客户导出（GBK 编码，Excel 另存为 CSV）", "CRM contact export"),
    notes=(
        "Messy on purpose, as real CRM exports are:",
        "- gender: mostly 男/女 (Male/Female), some M/F, 1/0 (1 = male) or blank.",
        "- birth date: several typed formats, ~5% Excel serial numbers (days since 1899-12-30),",
        "  ~2% impossible values (1990-02-30, 13th month, abc, 不详/unknown, 0000-00-00), ~13% blank.",
        "- phone: spaces, dashes, +86 / 0086 (+1) prefixes, full-width digits (zh); ~2% junk such as",
        "  13800000000, 12345, 00000000000 (blocklist candidates); ~3% blank.",
        "- email: ~25% blank, some upper case, a few broken (no @, no .com) and test@test.com.",
        "- province / city: short forms (广东 for 广东省, 深圳 for 深圳市), some blank; addresses sometimes",
        "  without the province. A few names carry stray spaces.",
        "- The same person may have two CRM rows (a later registration): see demo_truth/identity.parquet.",
    ),
    encoding={"zh": "gbk", "en": "utf-8"}, key=("crm_id",), required=("crm_id",), on_error="quarantine",
    extra_values={"gender": {"1": "M", "0": "F"}},
)

STORE = SourceSpec(
    "store_members", "customers", "xlsx", "store_members.xlsx",
    (
        F("member_id", "会员号", "Member ID"), F("name", "姓名", "Name"), F("phone", "手机号", "Phone"),
        F("gender", "性别", "Gender", values="gender"), F("birth_date", "生日", "Birthday"),
        F("store_id", "门店", "Store"), F("member_level", "会员等级", "Level"),
        F("registered_at", "入会日期", "Joined"), F("points", "积分", "Points", to=None),
    ),
    ("门店会员表（Excel）", "Store membership list (Excel)"),
    notes=(
        "Birthday and join date are real Excel date cells; ~8% of birthdays are empty.",
        "Store staff retype names: typos, traditional characters (zh) or nicknames (en) against the CRM;",
        "some members changed phone numbers since they registered in the CRM. Points are not mapped.",
    ),
    sheet={"zh": "会员", "en": "Members"}, key=("member_id",), required=("member_id",), on_error="quarantine",
)

ORDERS = SourceSpec(
    "orders", "orders", "parquet", "orders.parquet",
    (
        F("order_id", "订单号", "Order ID"), _REFS[0], F("member_id", "会员号", "Member ID"), _REFS[1],
        F("order_time", "下单时间", "Order time"), F("status", "订单状态", "Status", values="order_status"),
        F("channel", "渠道", "Channel", values="order_channel"), F("store_id", "门店编号", "Store ID"),
        F("total_amount", "金额", "Amount"), F("discount_amount", "优惠金额", "Discount"),
        F("paid_amount", "实付金额", "Paid"), F("refund_amount", "退款金额", "Refunded"),
        F("payment_method", "支付方式", "Payment", values="payment"), F("coupon_code", "优惠券", "Coupon"),
        F("currency", "币种", "Currency"),
    ),
    ("订单（ERP 导出）", "Orders (ERP export)"),
    notes=(
        "Customer reference depends on the channel: marketplaces carry the buyer's phone, the own web shop /",
        "app / mini-program the CRM customer id (客户编号, the crm_contacts key), store orders the member id",
        "(10% only a phone). Order times are naive local times. Cancelled orders have 实付金额 0.",
    ),
)

ORDER_ITEMS = SourceSpec(
    "order_items", "order_items", "parquet", "order_items.parquet",
    (
        F("order_id", "订单号", "Order ID"), F("line_no", "行号", "Line"), F("product_id", "商品编号", "SKU"),
        F("product_name", "商品名称", "Product"), F("category", "品类", "Category"), F("brand", "品牌", "Brand"),
        F("quantity", "数量", "Qty"), F("unit_price", "单价", "Unit price"), F("discount_amount", "优惠", "Discount"),
        F("amount", "金额", "Amount"), F("returned", "是否退货", "Returned", values="yes_no"),
    ),
    ("订单明细", "Order lines"),
)

EVENTS = SourceSpec(
    "web_events", "events", "jsonl", "web_events.jsonl",
    (
        F("message_id", "messageId", "messageId"), F("type", "type", "type"), F("event", "event", "event"),
        F("user_id", "userId", "userId"), F("anonymous_id", "anonymousId", "anonymousId"),
        F("previous_id", "previousId", "previousId"), F("timestamp", "timestamp", "timestamp"),
        F("received_at", "receivedAt", "receivedAt"), F("properties", "properties", "properties"),
        F("context", "context", "context"),
    ),
    ("网站 / APP / 小程序行为与消息互动（Segment 格式）", "Web, app and mini-program behaviour and message engagement (Segment spec)"),
    notes=(
        "Pure Segment spec shape: typed values live only inside properties / context, none are copied to",
        "the top level. Extract: properties.product_id / category / price / query / session_id / order_id /",
        "revenue (Order Completed) / campaign_name; context.channel (web | app | mini_program | email | sms |",
        "wechat), context.device.type, context.campaign.source / name. userId is the CRM customer id, or the",
        "member id for store-only members; anonymousId is a device: its events before the identify call",
        "carry no userId. Keys that do not apply are omitted. Timestamps are ISO 8601 with offset.",
    ),
    encoding=_UTF8,
)

TICKETS = SourceSpec(
    "service_tickets", "interactions", "csv", "service_tickets.csv",
    (
        F("interaction_id", "工单号", "Ticket ID"), *_REFS, F("occurred_at", "创建时间", "Created at"),
        F("channel", "渠道", "Channel", values="ticket_channel"), F("kind", "记录类型", "Type", values="ticket_kind"),
        F("subject", "问题分类", "Topic"), F("text", "内容", "Message"), F("rating", "评分", "Rating"),
        F("status", "状态", "Status", values="ticket_status"), F("agent", "客服工号", "Agent"),
    ),
    ("客服工单与会话（UTF-8 带 BOM）", "Service tickets, chats and calls"),
    notes=("Calls and store visits are identified by phone, the rest by customer id. ~25% have no rating.",),
    encoding={"zh": "utf-8-sig", "en": "utf-8-sig"},
)

SOCIAL = SourceSpec(
    "social", "interactions", "json", "social.json",
    (
        F("id", "id", "id", to="interaction_id"), F("platform", "platform", "platform", to="channel", values="social_platform"),
        F("action", "action", "action", to="kind", values="social_action"),
        F("memberId", "memberId", "memberId", to="member_id"), F("phone", "phone", "phone"),
        F("time", "time", "time", to="occurred_at"), F("text", "text", "text"), F("followers", "followers", "followers"),
    ),
    ("社交媒体互动（已绑定账号）", "Social media interactions (bound accounts)"),
    notes=("A JSON array. Accounts are bound to a member id, or else to a phone number.",),
    encoding=_UTF8,
)

REFERRALS = SourceSpec(
    "referrals", "referrals", "csv", "referrals.csv",
    (
        F("referral_id", "推荐编号", "Referral ID"), F("customer_key", "推荐人客户编号", "Referrer ID"),
        F("phone", "推荐人手机号", "Referrer phone"), F("referred_name", "被推荐人姓名", "Referred name"),
        F("referred_phone", "被推荐人手机号", "Referred phone"),
        F("channel", "推荐渠道", "Channel", values="referral_channel"), F("referred_at", "推荐时间", "Referred at"),
        F("converted", "是否转化", "Converted", values="yes_no"), F("converted_at", "转化时间", "Converted at"),
        F("converted_customer_key", "转化客户编号", "New customer ID"), F("revenue", "带来收入", "Revenue"),
    ),
    ("老带新推荐记录", "Referral programme"),
    notes=("Revenue: the referred customer's net spend in their first 90 days.",
           "转化客户编号 is a crm_contacts key, or a member id for store-only customers."),
    encoding=_UTF8, on_error="quarantine",
)

SURVEYS = SourceSpec(
    "surveys", "surveys", "csv", "surveys.csv",
    (
        F("response_id", "答卷编号", "Response ID"), F("survey_id", "问卷编号", "Survey ID"),
        F("survey_type", "问卷类型", "Survey type", values="survey_type"), *_REFS,
        F("responded_at", "提交时间", "Submitted at"), F("question", "题目", "Question"),
        F("answer", "回答", "Answer"), F("score", "分数", "Score"),
    ),
    ("NPS、满意度与画像问卷", "NPS, CSAT and profile surveys"),
    notes=("One row per answered question: NPS 0-10 (plus a reason), CSAT 1-5 (optional comment),",
           "profile survey: purchase motivation and favourite category (no score)."),
    encoding=_UTF8,
)

CONSENTS = SourceSpec(
    "consents", "consents", "csv", "consents.csv",
    (
        F("consent_id", "记录编号", "Record ID"), *_REFS,
        F("purpose", "授权用途", "Purpose", values="consent_purpose"),
        F("status", "授权状态", "Status", values="consent_status"),
        F("recorded_at", "记录时间", "Recorded at"), F("collected_via", "收集方式", "Collected via"),
    ),
    ("营销与数据使用授权", "Marketing and data-use consents"),
    notes=("Each row is a decision; a later 撤回 / Withdrawn row overrides an earlier grant.",),
    encoding=_UTF8,
)

ALL: tuple[SourceSpec, ...] = (CRM, STORE, ORDERS, ORDER_ITEMS, EVENTS, TICKETS, SOCIAL, REFERRALS, SURVEYS, CONSENTS)
