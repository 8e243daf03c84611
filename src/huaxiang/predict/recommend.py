"""Product recommendations: pair rules mined from baskets, blended with category affinity and popularity.

Set-based throughout: every function takes Ibis tables (order lines with ``customer_id`` and ``at``,
as ``profiles.facts`` attributes them) and returns an Ibis expression the caller executes, on DuckDB
or Spark alike: joins, grouped aggregates, ``row_number`` windows, arithmetic; nothing loops over
customers and nothing runs here.

Why pairs only (1 -> 1 rules): at retail scale almost all of the usable signal is in pairs (most
baskets hold one to three distinct products, so longer itemsets are seen too rarely to pass any
sensible support), while their number grows combinatorially with basket size; and a customer's
history is a set of products, each of which already votes for its own consequents, so summing pair
rules over the history recovers much of what a longer antecedent would say.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from huaxiang.compile.conditions.context import epoch_seconds, whole_units

SECONDS_PER_DAY = 86_400
#: the column of ``items`` an item of a basket is, per rule level
LEVELS = {"product": "product_id", "category": "category"}
#: why a product is recommended, as the UI says it; ``{because}`` is the row's ``because_name``
REASONS = {
    "bought_together": {"zh": "购买了{because}的客户也常买", "en": "Often bought with {because}"},
    "category_affinity": {"zh": "您常买的{because}类热销商品", "en": "Popular in {because}, a category you like"},
    "popular": {"zh": "大家都在买的热销商品", "en": "A best seller with everyone"},
}


def _check(ok: bool, name: str, expected: str, value) -> None:
    if not ok:
        raise ValueError(f"{name} must be {expected}, not {value!r}")


def association_rules(items: ir.Table, *, level: str = "product", min_support: float = 0.0001,
                      min_confidence: float = 0.01, min_count: int = 3, max_antecedent_items: int = 1,
                      basket_days: int | None = None, max_basket_items: int = 50) -> ir.Table:
    """``antecedent, consequent, support, confidence, lift, count``: the rules A -> B between two items.

    A basket is an order; with ``basket_days`` it is every order of one customer in the same
    ``basket_days``-wide window of time (windows counted from 1970-01-01, so they are fixed and
    both engines agree; a pair that straddles a window's edge is missed, a price paid for baskets
    that never chain into one endless basket; lines without a customer stay per order). Items are
    distinct products (``level="product"``) or categories. With N baskets, n(A) baskets holding A,
    n(A, B) holding both: support = n(A, B) / N, confidence = n(A, B) / n(A), lift = confidence /
    (n(B) / N), count = n(A, B). Both directions are rules; an item never implies itself.

    A basket with more than ``max_basket_items`` distinct items is left out entirely, N included: its
    pairs grow with the square of its size and it is a wholesale order or a shared card rather than
    one shopper's taste. The defaults suit hundreds to thousands of products, where a pair in one
    basket of ten thousand is already a pattern; ``min_count`` keeps rules seen too few times out.
    """
    _check(level in LEVELS, "level", f"one of {', '.join(LEVELS)}", level)
    _check(0 < min_support <= 1, "min_support", "in (0, 1]", min_support)
    _check(0 <= min_confidence <= 1, "min_confidence", "in [0, 1]", min_confidence)
    _check(min_count >= 1, "min_count", "at least 1", min_count)
    _check(max_antecedent_items == 1, "max_antecedent_items", "1 (pair rules only: see the module docstring)",
           max_antecedent_items)
    _check(basket_days is None or basket_days >= 1, "basket_days", "None or at least 1", basket_days)
    _check(max_basket_items >= 2, "max_basket_items", "at least 2", max_basket_items)
    baskets = _baskets(items, LEVELS[level], basket_days, max_basket_items)
    total = baskets.aggregate(_n=baskets.basket.nunique())
    per_item = baskets.group_by("item").aggregate(_items=baskets.count())
    left = baskets.select(basket="basket", antecedent="item")
    right = baskets.select(_basket="basket", consequent="item")
    pairs = left.join(right, (left.basket == right._basket) & (left.antecedent != right.consequent))
    counts = pairs.group_by(["antecedent", "consequent"]).aggregate(count=pairs.count())
    n_a = per_item.select(_a="item", _n_a=per_item._items.cast("float64"))
    n_b = per_item.select(_b="item", _n_b=per_item._items.cast("float64"))
    rules = (counts.join(n_a, counts.antecedent == n_a._a).join(n_b, counts.consequent == n_b._b)
             .cross_join(total))
    pair = rules["count"].cast("float64")
    rules = rules.select("antecedent", "consequent", support=pair / rules._n.cast("float64"),
                         confidence=pair / rules._n_a, lift=pair * rules._n.cast("float64") / (rules._n_a * rules._n_b),
                         count=rules["count"])
    return rules.filter((rules.support >= min_support) & (rules.confidence >= min_confidence)
                        & (rules["count"] >= min_count))


def _baskets(items: ir.Table, column: str, basket_days: int | None, max_items: int) -> ir.Table:
    """``(basket, item)``, distinct, for baskets of at most ``max_items`` items."""
    rows = items.filter(items[column].notnull())
    key = rows.order_id.cast("string")
    if basket_days is not None:
        window = whole_units(epoch_seconds(rows.at), basket_days * SECONDS_PER_DAY).cast("string")
        key = ibis.cases((rows.customer_id.notnull(), "c:" + rows.customer_id + ":" + window), else_="o:" + key)
    distinct = rows.select(basket=key, item=rows[column].cast("string")).distinct()
    sized = distinct.mutate(_size=distinct.item.count().over(group_by=distinct.basket))
    return sized.filter(sized._size <= max_items).drop("_size")


def _as_of(items: ir.Table, as_of: dt.datetime | None) -> ir.TimestampValue:
    """``as_of`` as a literal, or the latest line of ``items`` (a scalar subquery) when not given."""
    return ibis.literal(as_of, type="timestamp") if as_of is not None else items.at.max().as_scalar()


def spend_affinity(items: ir.Table, *, as_of: dt.datetime | None = None, half_life_days: float = 90.0) -> ir.Table:
    """``customer_id, category, weight``: each customer's time-decayed share of spend per category.

    A line weighs ``amount * 0.5 ** (age in days / half_life_days)`` at ``as_of`` (default: the latest
    line); lines after ``as_of`` are ignored. The weights of one customer sum to 1. What ``recommend``
    takes as ``affinity`` when the caller has nothing better (a trait, a survey).
    """
    _check(half_life_days > 0, "half_life_days", "positive", half_life_days)
    at = _as_of(items, as_of)
    rows = items.filter(items.customer_id.notnull() & items.category.notnull() & (items.at <= at))
    age = (epoch_seconds(at) - epoch_seconds(rows.at)).cast("float64") / SECONDS_PER_DAY
    spend = rows.amount.cast("float64") * ibis.literal(0.5) ** (age / half_life_days)
    per = rows.mutate(_s=spend).group_by(["customer_id", "category"]).aggregate(_s=lambda t: t._s.sum())
    total = per._s.sum().over(group_by=per.customer_id)
    return per.select("customer_id", "category", weight=per._s / total.nullif(0))


def recommend(items: ir.Table, rules: ir.Table, *, affinity: ir.Table | None = None, customers: ir.Table | None = None,
              top_n: int = 5, exclude_bought_within_days: int | None = 365, as_of: dt.datetime | None = None,
              affinity_weight: float = 0.3, popularity_weight: float = 0.01, affinity_categories: int = 3,
              rules_per_item: int = 20) -> ir.Table:
    """Up to ``top_n`` products per customer: ``customer_id, rank, product_id, product_name, category,
    score, reason_code, because_product, because_name``, ranks from 1, ties by ``product_id``.

    ``rules`` are product rules (``association_rules(level="product")``). Customers: ``customers``
    (a table of ``customer_id``), by default everyone in ``items`` or ``affinity``. Candidates are the
    consequents of the rules whose antecedent the customer bought (the ``rules_per_item`` strongest
    per antecedent), the ``2 * top_n`` best sellers of the customer's ``affinity_categories`` top
    categories, and the ``2 * top_n`` best sellers overall, less every product the customer bought
    within ``exclude_bought_within_days`` before ``as_of`` (default: the latest line with a customer;
    None: ever). The blend, each part in [0, 1], so the weights say how much each may count:

        score = (1 - affinity_weight) * R + affinity_weight * A + popularity_weight * P
        R = r / (1 + r), r = sum over the bought antecedents of confidence * lift
        A = weight(customer, category) / the customer's largest weight * Pc
        P, Pc = orders holding the product / the most of any product (Pc: of its category)

    The reason is the largest part (ties to the earlier): ``bought_together`` (``because_product``:
    the antecedent with the largest confidence * lift, ``because_name`` its name), ``category_affinity``
    (both: the category) or ``popular`` (both null): a customer with no history gets best sellers.
    """
    _check(top_n >= 1, "top_n", "at least 1", top_n)
    _check(exclude_bought_within_days is None or exclude_bought_within_days >= 1, "exclude_bought_within_days",
           "None or at least 1", exclude_bought_within_days)
    _check(0 <= affinity_weight <= 1, "affinity_weight", "in [0, 1]", affinity_weight)
    _check(popularity_weight >= 0, "popularity_weight", "at least 0", popularity_weight)
    _check(affinity_categories >= 1, "affinity_categories", "at least 1", affinity_categories)
    _check(rules_per_item >= 1, "rules_per_item", "at least 1", rules_per_item)
    items = items.filter(items.product_id.notnull())
    history = items.filter(items.customer_id.notnull())
    catalog = _catalog(items)
    depth = 2 * top_n
    who = _customers(history, affinity, customers)
    cands = _rule_pairs(history, rules, rules_per_item).union(_popular_pairs(who, catalog, depth), distinct=False)
    if affinity is not None:
        affinity = _normalized(affinity)
        cands = cands.union(_affinity_pairs(affinity, catalog, affinity_categories, depth), distinct=False)
    if customers is not None:
        cands = cands.semi_join(who, "customer_id")
    cands = cands.group_by(["customer_id", "product_id"]).aggregate(_r=cands._r.max(), _because=cands._because.max())
    recent = _recent(history, _as_of(history, as_of), exclude_bought_within_days)
    cands = cands.anti_join(recent, ["customer_id", "product_id"])
    scored = _score(cands, catalog, affinity, affinity_weight, popularity_weight)
    rank = ibis.row_number().over(group_by=scored.customer_id, order_by=[scored.score.desc(), scored.product_id.asc()])
    ranked = scored.mutate(rank=rank + 1)
    return ranked.filter(ranked["rank"] <= top_n).select(
        "customer_id", "rank", "product_id", "product_name", "category", "score", "reason_code", "because_product",
        "because_name")


def _catalog(items: ir.Table) -> ir.Table:
    """``product_id, product_name, category`` (as last sold), popularity ``_p`` / ``_pc`` and their ranks."""
    per = items.group_by("product_id").aggregate(
        product_name=items.product_name.argmax(items.at), category=items.category.argmax(items.at),
        _orders=items.order_id.nunique())
    orders = per._orders.cast("float64")
    return per.mutate(
        _p=orders / per._orders.max().over(), _pc=orders / per._orders.max().over(group_by=per.category),
        _rank=ibis.row_number().over(order_by=[per._orders.desc(), per.product_id.asc()]),
        _rank_cat=ibis.row_number().over(group_by=per.category, order_by=[per._orders.desc(), per.product_id.asc()]))


def _customers(history: ir.Table, affinity: ir.Table | None, customers: ir.Table | None) -> ir.Table:
    if customers is not None:
        return customers.select("customer_id").distinct()
    who = history.select("customer_id")
    if affinity is not None:
        who = who.union(affinity.select("customer_id"), distinct=False)
    return who.distinct()


def _candidates(t: ir.Table, product: str, r=None, because=None) -> ir.Table:
    """The one shape every kind of candidate has: ``customer_id, product_id, _r, _because``."""
    return t.select(customer_id=t.customer_id, product_id=t[product],
                    _r=ibis.null("float64") if r is None else r, _because=ibis.null("string") if because is None else because)


def _rule_pairs(history: ir.Table, rules: ir.Table, per_item: int) -> ir.Table:
    """r = the sum of confidence * lift over the customer's bought antecedents, and the strongest of them."""
    strength = rules.confidence.cast("float64") * rules.lift.cast("float64")
    order = ibis.row_number().over(group_by=rules.antecedent, order_by=[strength.desc(), rules.consequent.asc()])
    kept = rules.select("antecedent", "consequent", _s=strength, _k=order)
    kept = kept.filter(kept._k < per_item)
    bought = history.select("customer_id", "product_id").distinct()
    hits = bought.join(kept, bought.product_id == kept.antecedent)
    group = [hits.customer_id, hits.consequent]
    best = ibis.row_number().over(group_by=group, order_by=[hits._s.desc(), hits.antecedent.asc()])
    hits = hits.mutate(_total=hits._s.sum().over(group_by=group), _best=best)
    hits = hits.filter(hits._best == 0)
    return _candidates(hits, "consequent", hits._total, hits.antecedent)


def _popular_pairs(who: ir.Table, catalog: ir.Table, depth: int) -> ir.Table:
    top = catalog.filter(catalog._rank < depth).select("product_id")
    return _candidates(who.cross_join(top), "product_id")


def _normalized(affinity: ir.Table) -> ir.Table:
    """``customer_id, category, _w, _order``: positive weights over the customer's largest, ranked."""
    pos = affinity.filter(affinity.customer_id.notnull() & affinity.category.notnull() & (affinity.weight > 0))
    weight = pos.weight.cast("float64")
    order = ibis.row_number().over(group_by=pos.customer_id, order_by=[weight.desc(), pos.category.asc()])
    return pos.select("customer_id", "category", _w=weight / weight.max().over(group_by=pos.customer_id), _order=order)


def _affinity_pairs(affinity: ir.Table, catalog: ir.Table, n_categories: int, depth: int) -> ir.Table:
    top = affinity.filter(affinity._order < n_categories)
    best = catalog.filter(catalog._rank_cat < depth).select(_pid="product_id", _cat="category")
    return _candidates(top.join(best, top.category == best._cat), "_pid")


def _recent(history: ir.Table, as_of: ir.TimestampValue, days: int | None) -> ir.Table:
    """``(customer_id, product_id)`` not to recommend: bought within ``days`` before ``as_of`` (None: ever)."""
    if days is not None:
        history = history.filter(history.at >= as_of - ibis.interval(days=days))
    return history.select("customer_id", "product_id").distinct()


def _score(cands: ir.Table, catalog: ir.Table, affinity: ir.Table | None, beta: float, eps: float) -> ir.Table:
    """The blend of ``recommend``'s docstring, with the reason and what it is because of."""
    info = catalog.select("product_id", "product_name", "category", "_p", "_pc")
    t = cands.join(info, "product_id")
    affine = ibis.literal(0.0, type="float64")
    if affinity is not None:
        w = affinity.select(_c="customer_id", _cat="category", _w="_w")
        t = t.left_join(w, (t.customer_id == w._c) & (t.category == w._cat)).drop("_c", "_cat")
        affine = t._w.fill_null(0) * t._pc
    names = catalog.select(_ante="product_id", _ante_name="product_name")
    t = t.left_join(names, t._because == names._ante).drop("_ante")
    r = t._r.fill_null(0)
    rule, aff, pop = (1 - beta) * (r / (r + 1)), beta * affine, eps * t._p
    reason = ibis.cases(((rule > 0) & (rule >= aff) & (rule >= pop), "bought_together"),
                        ((aff > 0) & (aff >= pop), "category_affinity"), else_="popular")
    t = t.mutate(score=rule + aff + pop, reason_code=reason)
    return t.mutate(
        because_product=ibis.cases((t.reason_code == "bought_together", t._because),
                                   (t.reason_code == "category_affinity", t.category), else_=ibis.null("string")),
        because_name=ibis.cases((t.reason_code == "bought_together", t._ante_name),
                                (t.reason_code == "category_affinity", t.category), else_=ibis.null("string")))


def holdout_hit_rate(items: ir.Table, cutoff: dt.datetime, top_n: int = 5) -> ir.Table:
    """One row: ``customers, hits, hit_rate, baseline_hits, baseline_hit_rate`` (hit rate @ ``top_n``).

    Rules, spend affinity and recommendations are fitted on the lines before ``cutoff`` only; a
    customer is judged if they bought both before and from ``cutoff`` on (whom recommendations are
    personal for, and who could be hit at all), and is hit when they bought at least one recommended
    product from ``cutoff`` on. The baseline recommends the ``top_n`` best sellers before ``cutoff``
    to everyone. Rates are null when no customer is judged.
    """
    _check(top_n >= 1, "top_n", "at least 1", top_n)
    at = ibis.literal(cutoff, type="timestamp")
    lines = items.filter(items.customer_id.notnull() & items.product_id.notnull())
    before, after = lines.filter(lines.at < at), lines.filter(lines.at >= at)
    judged = before.select("customer_id").distinct().semi_join(after, "customer_id")
    recs = recommend(before, association_rules(before), affinity=spend_affinity(before, as_of=cutoff),
                     customers=judged, top_n=top_n, as_of=cutoff)
    best = _catalog(before)
    baseline = judged.cross_join(best.filter(best._rank < top_n).select("product_id"))
    bought = after.select("customer_id", "product_id").distinct()

    def hit_count(recommended: ir.Table, name: str) -> ir.Table:
        hit = recommended.semi_join(bought, ["customer_id", "product_id"])
        return hit.aggregate(**{name: hit.customer_id.nunique()})

    row = judged.aggregate(customers=judged.count()).cross_join(hit_count(recs, "hits")).cross_join(
        hit_count(baseline, "baseline_hits"))
    n = row.customers.cast("float64").nullif(0)
    return row.mutate(hit_rate=row.hits.cast("float64") / n, baseline_hit_rate=row.baseline_hits.cast("float64") / n)
