"""Free text written by customers: service tickets, social posts and comments, survey answers.

Templates per topic (or per customer type for social posts) with ``{slot}`` placeholders are
filled vectorized by ``strs.fill``. Complaints name the real pain points (slow delivery, quality,
staff attitude) so that sentiment and keyword extraction have something true to find.
"""

from __future__ import annotations

# vocab ticket_topic order: delivery, quality, service, question, praise, return, cancellation
TICKETS = {
    "zh": (
        ("我买的{cat}已经{days}天了还没收到，物流太慢了！", "快递一直显示运输中，{days}天都没更新，请帮忙查一下。",
         "说好的次日达，结果等了{days}天，物流太慢了。", "包裹放快递柜也没人通知我，差点过期，体验很差。"),
        ("收到的{cat}有明显质量问题，用了{days}天就坏了。", "{prod}和描述不符，做工粗糙，要求退货。",
         "商品有划痕，包装也破了，质量太差了。", "买的{cat}质量问题严重，希望尽快给个说法。"),
        ("客服态度很差，问了三遍都没人理。", "门店店员态度冷淡，体验很不好。",
         "电话打了好几次都转不到人工客服，太失望了。", "客服回复敷衍，问题拖了{days}天还没解决。"),
        ("请问{cat}最近有没有优惠活动？", "想问一下{prod}什么时候补货？", "会员积分怎么兑换？",
         "请问可以开发票吗？", "{cat}的保修期是多久？"),
        ("客服很耐心，问题很快解决了，点赞！", "{prod}很好用，发货也快，五星好评。", "门店服务很周到，下次还来。"),
        ("{prod}尺码不合适，申请换货。", "收到的{cat}不喜欢，想申请七天无理由退货。", "申请退款，麻烦尽快处理。"),
        ("下错单了，请帮我取消订单。", "不想要了，取消订单，谢谢。"),
    ),
    "en": (
        ("My {cat} order still hasn't arrived after {days} days. Shipping is way too slow!",
         "Tracking has said 'in transit' for {days} days with no update. Please check.",
         "Paid for next-day delivery and waited {days} days. Very slow shipping.",
         "The parcel was left at the locker without any notice and nearly expired. Poor experience."),
        ("The {cat} I received has an obvious defect. It broke after {days} days.",
         "{prod} is not as described and feels cheap. I want to return it.",
         "The item came scratched and the box was damaged. Terrible quality.",
         "Serious quality problem with my {cat}. I expect a quick answer."),
        ("The agent was rude and ignored my question three times.", "Store staff were cold and unhelpful.",
         "Called several times and never reached a human. Very disappointed.",
         "Support keeps giving canned replies; my issue is still open after {days} days."),
        ("Is there any discount on {cat} right now?", "When will {prod} be back in stock?",
         "How do I redeem my loyalty points?", "Can I get an invoice for my order?", "How long is the warranty on {cat}?"),
        ("The agent was patient and solved it fast. Great job!", "{prod} works great and shipped fast. Five stars.",
         "Lovely service in the store. Will come back."),
        ("{prod} doesn't fit. I'd like an exchange.", "I don't like the {cat} I got and want to return it within 30 days.",
         "Requesting a refund, please process it soon."),
        ("I ordered by mistake, please cancel my order.", "Changed my mind, please cancel. Thanks."),
    ),
}

# per customer type (archetypes order): upbeat posts; plus negative comments for people about to churn
SOCIAL = {
    "zh": (
        ("新入手的{prod}，性能太强了！", "{brand}这次的新品真香", "{cat}天花板级别的体验，强烈推荐"),
        ("宝宝很喜欢这款{cat}，安利给各位妈妈", "{brand}的{cat}用了一个月，真实测评来了", "精致妈妈的好物清单：{prod}"),
        ("领券后才{price}元，学生党必入！", "平价好物分享：{prod}", "宿舍必备{cat}，便宜又好用"),
        ("出差必备{cat}，品质不错", "{brand}的做工对得起价格", "商务场合穿{prod}很得体"),
        ("周末徒步，{prod}表现很稳", "{brand}装备防水效果一流", "户外党看过来，{cat}推荐"),
        ("在门店买的{cat}，店员很耐心", "给老伴买的{prod}，挺实用", "{cat}质量不错，价格也实惠"),
    ),
    "en": (
        ("Just got the {prod} and it's a beast!", "{brand}'s new release is worth every penny", "Best {cat} I've ever used"),
        ("My baby loves this {cat}, moms you need it", "One month with {brand} {cat}: honest review", "Mom essentials: {prod}"),
        ("Only ${price} with a coupon, student must-have!", "Budget find: {prod}", "Dorm essential {cat}, cheap and good"),
        ("Travel essential {cat}, great quality", "{brand} craftsmanship justifies the price", "{prod} looks sharp for meetings"),
        ("Weekend hike: {prod} held up great", "{brand} gear is truly waterproof", "Outdoor folks: my {cat} pick"),
        ("Bought {cat} in store, staff were so patient", "Got {prod} for my spouse, very practical", "Good {cat} at a fair price"),
    ),
}
SOCIAL_NEGATIVE = {
    "zh": ("再也不会买了，质量越来越差", "客服太敷衍了，失望", "物流慢得离谱，不推荐", "价格涨了品质却降了"),
    "en": ("Never buying again, quality keeps dropping", "Support brushed me off. Disappointed",
           "Ridiculously slow shipping, not recommended", "Prices went up, quality went down"),
}

SURVEY_QUESTIONS = {
    "zh": {"nps": "您有多大可能向朋友推荐我们？", "nps_reason": "请说说您打这个分数的原因",
           "csat": "您对本次服务满意吗？", "motivation": "您购物时最看重什么？", "favorite": "您最常购买的品类是？"},
    "en": {"nps": "How likely are you to recommend us to a friend?", "nps_reason": "What is the main reason for your score?",
           "csat": "How satisfied are you with this service?", "motivation": "What matters most to you when shopping?",
           "favorite": "Which category do you buy most often?"},
}
# NPS reasons by group: detractor (0-6), passive (7-8), promoter (9-10)
NPS_REASONS = {
    "zh": (("价格偏贵", "物流太慢", "客服回复慢", "商品质量一般", "退货太麻烦"),
           ("总体还可以", "商品还行，价格一般", "偶尔有发货延迟"),
           ("商品质量好，物流快", "会员福利多", "客服很专业", "门店体验很好")),
    "en": (("Too expensive", "Shipping is too slow", "Support is slow to reply", "Average product quality", "Returns are a hassle"),
           ("It's okay overall", "Decent products, average prices", "Occasional shipping delays"),
           ("Great quality and fast shipping", "Lots of member perks", "Very professional support", "Great store experience")),
}
CSAT_COMMENTS = {
    "zh": (("问题没有解决", "等待时间太长"), ("一般般",), ("处理及时，谢谢", "客服很耐心")),
    "en": (("My problem was not solved", "Waited far too long"), ("It was fine",), ("Quick help, thanks", "Very patient agent")),
}
