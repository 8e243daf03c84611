"""CLV models against the CDNOW results published with them, against simulation, and on bad input.

The CDNOW files come with the ``lifetimes`` package (a test extra), read as files: ``lifetimes``
itself is never imported.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import gammaln, hyp2f1

from huaxiang.predict.clv import DAYS_PER_MONTH, BGNBD, GammaGamma, compress, lifetime_value
from huaxiang.predict.clv_pareto import ParetoNBD

DATASETS = Path(importlib.util.find_spec("lifetimes").submodule_search_locations[0]) / "datasets"
CALIBRATION_END = pd.Timestamp("1997-09-30")  # end of week 39 for a cohort whose first purchases start on 1 January
HOLDOUT_END = pd.Timestamp("1998-06-30")  # end of week 78


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    """The published calibration summary of the 2,357-customer cohort (weeks), as the papers fit it."""
    return pd.read_csv(DATASETS / "cdnow_customers_summary_with_transactions.csv", index_col="ID")


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The same cohort summarised here from the raw master file, with its purchases in weeks 40-78.

    CDNOW_sample.txt names the cohort's customers (master id, cohort id); purchases are counted
    in days, as in the papers: several orders on one day are one purchase worth their sum.
    """
    cohort = pd.read_csv(DATASETS / "CDNOW_sample.txt", sep=r"\s+", header=None, usecols=[0, 1],
                         names=["master_id", "id"]).drop_duplicates()
    master = pd.read_csv(DATASETS / "CDNOW_master.txt", sep=r"\s+", header=0, names=["master_id", "date", "cds", "value"])
    orders = master.merge(cohort, on="master_id")
    orders["date"] = pd.to_datetime(orders["date"].astype(str), format="%Y%m%d")
    days = orders.groupby(["id", "date"], as_index=False)["value"].sum()
    first = days.groupby("id")["date"].transform("min")
    days["weeks"] = (days["date"] - first).dt.days / 7
    days["repeat_value"] = days["value"].where(days["date"] > first)
    calibration = days[days["date"] <= CALIBRATION_END].groupby("id")
    holdout = days[(days["date"] > CALIBRATION_END) & (days["date"] <= HOLDOUT_END)].groupby("id").size()
    return pd.DataFrame({
        "x": calibration.size() - 1,
        "t_x": calibration["weeks"].max(),
        "T": (CALIBRATION_END - calibration["date"].min()).dt.days / 7,
        "zbar": calibration["repeat_value"].mean().fillna(0.0),
        "holdout": holdout.reindex(calibration.size().index, fill_value=0),
    })


@pytest.fixture(scope="module")
def bgnbd(summary) -> BGNBD:
    return BGNBD.fit(summary["x"], summary["t_x"], summary["T"])


@pytest.fixture(scope="module")
def pareto(summary) -> ParetoNBD:
    return ParetoNBD.fit(summary["x"], summary["t_x"], summary["T"])


@pytest.fixture(scope="module")
def spend(summary) -> GammaGamma:
    return GammaGamma.fit(summary["x"], summary["zbar"])


def _params(model) -> np.ndarray:
    return np.array([getattr(model, name) for name in model.PARAMETERS])


# ---------------------------------------------------------------------------- CDNOW, as published

def test_the_raw_file_gives_the_published_summary(cdnow, summary):
    assert len(cdnow) == len(summary) == 2357
    assert (cdnow["x"].to_numpy() == summary["x"].to_numpy()).all()
    for column in ("t_x", "T", "zbar"):  # the published file rounds to cents and hundredths of a week
        np.testing.assert_allclose(cdnow[column], summary[column], atol=0.0051)


# Published values carry 3-4 significant digits (0.243 is ±0.2%); 0.5% relative covers that
# rounding and the optimizer's tolerance, yet is far inside the standard errors of 2,357
# customers, so any wrong likelihood term (which moves the optimum by whole percents) fails.
def test_bgnbd_fit_matches_the_paper(bgnbd):
    np.testing.assert_allclose(_params(bgnbd), [0.243, 4.414, 0.793, 2.426], rtol=5e-3)
    assert bgnbd.loglik == pytest.approx(-9582.4, abs=0.1)
    assert bgnbd.converged and bgnbd.n == 2357


def test_pareto_fit_matches_the_paper(pareto):
    np.testing.assert_allclose(_params(pareto), [0.553, 10.578, 0.606, 11.669], rtol=5e-3)
    assert pareto.loglik == pytest.approx(-9595.0, abs=0.1)
    assert pareto.converged and pareto.n == 2357


def test_gamma_gamma_fit_matches_the_note(spend):
    # 3 significant digits published (6.25 is ±0.1%); 0.5% as above
    np.testing.assert_allclose(_params(spend), [6.25, 3.74, 15.44], rtol=5e-3)
    assert spend.converged and spend.n == 946


def test_bgnbd_predictions_match_hardies_spreadsheet(bgnbd):
    published = BGNBD(0.243, 4.414, 0.793, 2.426)
    for model in (published, bgnbd):  # the paper's example customer: 1.226 purchases in the next 39 weeks
        assert model.expected_purchases(39, 2, 30.43, 38.86)[0] == pytest.approx(1.226, abs=1e-3)
    # E[X(t)] of a new customer, as the spreadsheet gives it at its unrounded estimates (the
    # rounded ones above are 0.15% off at 78 weeks): 4 decimals, the last one ±0.5
    weeks = [0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0]
    np.testing.assert_allclose(bgnbd.expected_purchases_new(weeks),
                               [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576], atol=5e-4)


def test_bgnbd_tracks_the_cohort_and_the_holdout(bgnbd, cdnow):
    x, t_x, T = cdnow["x"], cdnow["t_x"], cdnow["T"]
    # The paper's tracking plot: cumulative repeat purchases of the cohort over weeks 1-78.
    tracked = bgnbd.expected_purchases_new(T + 39).sum()
    actual = x.sum() + cdnow["holdout"].sum()
    assert abs(tracked / actual - 1) < 0.05
    # Weeks 40-78 alone, conditional on each history: CDNOW buys more then than the model
    # expects (the paper's plot by x shows it for one- and two-purchase customers): about 12%
    # fewer predicted. The bound still catches a wrong expectation, which is off by far more.
    predicted = bgnbd.expected_purchases(39, x, t_x, T).sum()
    assert abs(predicted / cdnow["holdout"].sum() - 1) < 0.15


# ---------------------------------------------------------------------------- formulas

@pytest.mark.parametrize("params", [(0.553, 10.578, 0.606, 11.669), (0.553, 12.0, 0.606, 3.0), (2.0, 4.0, 0.5, 4.0)],
                         ids=["alpha<beta", "alpha>beta", "alpha=beta"])
def test_pareto_likelihood_equals_its_integral(params):
    """The hypergeometric closed form against quadrature of the dropout time between t_x and T."""
    r, alpha, s, beta = params
    rows = [(0, 0.0, 38.86), (2, 30.43, 38.86), (26, 30.86, 31.0), (5, 1.0, 30.0), (3, 10.0, 10.0), (60, 20.0, 70.0)]
    for x, t_x, T in rows:
        between, _ = quad(lambda tau: (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1), t_x, T, epsrel=1e-12, epsabs=0)
        alive = (alpha + T) ** -(r + x) * (beta + T) ** -s
        expected = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.log(alive + s * between)
        assert ParetoNBD(*params).log_likelihood(x, t_x, T)[0] == pytest.approx(expected, rel=1e-10)


def test_bgnbd_expectation_equals_the_papers_form():
    """The Euler-transformed hypergeometric against the paper's own form where the latter is safe."""
    model = BGNBD(0.4, 5.0, 1.8, 3.2)
    r, alpha, a, b = _params(model)
    x, t_x, T, t = np.array([0, 1, 4, 12]), np.array([0, 3.0, 20.0, 35.0]), np.array([10, 30.0, 40.0, 36.0]), 26.0
    tail = ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    alive = 1 / (1 + (x > 0) * a / (b + np.maximum(x, 1) - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    np.testing.assert_allclose(model.expected_purchases(t, x, t_x, T), (a + b + x - 1) / (a - 1) * (1 - tail) * alive, rtol=1e-10)


def test_pareto_expectation_is_continuous_at_s_equal_one():
    values = [ParetoNBD(0.5, 8.0, s, 12.0).expected_purchases(30, [0, 4], [0, 20.0], [30, 30]) for s in (1 - 1e-7, 1.0, 1 + 1e-7)]
    np.testing.assert_allclose(values[0], values[1], rtol=1e-6)
    np.testing.assert_allclose(values[2], values[1], rtol=1e-6)


def test_p_alive_behaves(bgnbd, pareto):
    longer_silence = bgnbd.p_alive([2, 2, 2], [30, 30, 30], [31, 40, 60])
    assert 0 < longer_silence[2] < longer_silence[1] < longer_silence[0] < 1
    assert bgnbd.p_alive([0, 0], [0, 0], [5, 50]).tolist() == [1.0, 1.0]  # BG/NBD only drops after a repeat purchase
    gone = pareto.p_alive([0, 0, 3, 3], [0, 0, 10, 30], [5, 50, 40, 40])
    assert 0 < gone[1] < gone[0] < 1 and 0 < gone[2] < gone[3] < 1  # Pareto/NBD may drop at any time
    assert bgnbd.expected_purchases(0, 3, 10, 40)[0] == 0.0


# ---------------------------------------------------------------------------- simulation

def _events(rng, rate, horizon, cap):
    """Poisson(rate) purchase times on [0, horizon] of each customer, keeping the first ``cap``."""
    count = rng.poisson(rate * horizon)
    customer = np.repeat(np.arange(len(rate)), count)
    time = rng.uniform(0, 1, customer.size) * horizon[customer]
    order = np.lexsort((time, customer))
    customer, time = customer[order], time[order]
    rank = np.arange(customer.size) - (np.cumsum(count) - count)[customer] + 1
    keep = rank <= cap[customer]
    return customer[keep], time[keep]


def _summarise(customer, time, T, t):
    """(x, t_x) by T and the purchases in (T, T + t]."""
    calibration = time <= T[customer]
    x = np.bincount(customer[calibration], minlength=len(T)).astype(float)
    t_x = np.zeros(len(T))
    np.maximum.at(t_x, customer[calibration], time[calibration])
    holdout = np.bincount(customer[~calibration & (time <= T[customer] + t)], minlength=len(T))
    return x, t_x, holdout


N, HOLDOUT = 20_000, 39.0


@pytest.fixture(scope="module")
def simulated():
    """20,000 customers of each model, first purchases spread over a year, observed 26-78 weeks, then 39 more."""
    rng = np.random.default_rng(7)
    T = rng.uniform(26, 78, N)
    bg = BGNBD(0.8, 8.0, 0.8, 3.0)
    dropout_after = rng.geometric(rng.beta(bg.a, bg.b, N))  # a BG/NBD customer leaves right after a repeat purchase
    bg_data = _summarise(*_events(rng, rng.gamma(bg.r, 1 / bg.alpha, N), T + HOLDOUT, dropout_after), T, HOLDOUT)
    pn = ParetoNBD(0.8, 8.0, 0.8, 12.0)
    lifetime = rng.exponential(1 / rng.gamma(pn.s, 1 / pn.beta, N))
    pn_data = _summarise(*_events(rng, rng.gamma(pn.r, 1 / pn.alpha, N), np.minimum(lifetime, T + HOLDOUT), np.full(N, np.inf)),
                         T, HOLDOUT)
    return T, {bg: bg_data, pn: pn_data}


def test_fits_recover_simulated_parameters_and_holdout(simulated):
    # At 20,000 customers the observed-information standard errors are about 2% for r and alpha
    # and 5-8% for the dropout parameters (a, b or s, beta): the bounds are about three of them.
    T, cohorts = simulated
    for truth, (x, t_x, holdout) in cohorts.items():
        fitted = type(truth).fit(x, t_x, T)
        assert fitted.converged
        np.testing.assert_allclose(_params(fitted)[:2], _params(truth)[:2], rtol=0.08)
        np.testing.assert_allclose(_params(fitted)[2:], _params(truth)[2:], rtol=0.25)
        # the sum of 20,000 holdout counts varies by about 1.5%: 5% is three of that
        assert fitted.expected_purchases(HOLDOUT, x, t_x, T).sum() == pytest.approx(holdout.sum(), rel=0.05)


def test_gamma_gamma_recovers_simulated_parameters():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 12, N).astype(float)
    scale = rng.gamma(4.0, 1 / 15.0, N)  # each customer's rate ν ~ gamma(q, v)
    m = rng.gamma(6.0 * x, 1 / scale) / x  # mean of x purchases ~ gamma(p, ν)
    fitted = GammaGamma.fit(x, m)
    # standard errors ~6% for p and v, ~1.5% for q; their ratio, the mean spend, is sharper still
    assert fitted.p == pytest.approx(6.0, rel=0.2) and fitted.v == pytest.approx(15.0, rel=0.2)
    assert fitted.q == pytest.approx(4.0, rel=0.05)
    assert fitted.expected_spend(0, 0)[0] == pytest.approx(6.0 * 15.0 / 3.0, rel=0.03)
    assert fitted.expected_spend(1000, 50)[0] == pytest.approx(50, rel=0.01)  # a long history speaks for itself


# ---------------------------------------------------------------------------- weights

def test_weights_fit_like_expanded_rows(summary):
    x, t_x, T = summary["x"], summary["t_x"], summary["T"]
    cx, ct_x, cT, weights = compress(x, t_x, T)
    assert len(cx) < len(x) and weights.sum() == len(x)
    expanded = np.column_stack([np.repeat(cx, weights), np.repeat(ct_x, weights), np.repeat(cT, weights)])
    original = np.column_stack([x, t_x, T])
    assert (expanded == original[np.lexsort(original.T[::-1])]).all()
    for model in (BGNBD, ParetoNBD):
        full, compressed = model.fit(x, t_x, T), model.fit(cx, ct_x, cT, weights=weights)
        np.testing.assert_allclose(_params(compressed), _params(full), rtol=1e-4)
        assert compressed.loglik == pytest.approx(full.loglik, rel=1e-9) and compressed.n == full.n


def test_penalizer_trades_likelihood_for_smaller_parameters(summary, bgnbd):
    penalized = BGNBD.fit(summary["x"], summary["t_x"], summary["T"], penalizer=0.1)
    unit = summary["T"].mean()  # the penalty is on parameters in units of the mean T
    size = lambda m: m.r ** 2 + (m.alpha / unit) ** 2 + m.a ** 2 + m.b ** 2  # noqa: E731
    assert penalized.loglik < bgnbd.loglik and size(penalized) < size(bgnbd)


# ---------------------------------------------------------------------------- lifetime value

def test_lifetime_value_discounts_expected_purchases(bgnbd, pareto, spend, summary):
    x, t_x, T, m = summary["x"], summary["t_x"], summary["T"], summary["zbar"]
    year = 12 * DAYS_PER_MONTH / 7
    for purchases in (bgnbd, pareto):
        undiscounted = lifetime_value(purchases, spend, x, t_x, T, m, period_days=7, annual_discount_rate=0)
        np.testing.assert_allclose(undiscounted, purchases.expected_purchases(year, x, t_x, T) * spend.expected_spend(x, m), rtol=1e-12)
        values = [lifetime_value(purchases, spend, x, t_x, T, m, period_days=7, annual_discount_rate=rate)
                  for rate in (0.0, 0.05, 0.1, 0.3)]
        assert (np.diff(values, axis=0) < 0).all()  # every customer is worth less at a higher rate
        # a 10% year discounts each month by at most 10%: the value stays within 10% of undiscounted
        assert (values[2] > undiscounted / 1.1).all()
        assert (lifetime_value(purchases, spend, x, t_x, T, m, period_days=7, months=24) > values[2]).all()
        # month k's purchases are discounted by (1.1 ** (1/12)) ** k: check months 1 and 2
        month = DAYS_PER_MONTH / 7
        first, second = (lifetime_value(purchases, spend, x, t_x, T, m, period_days=7, months=k) for k in (1, 2))
        in_month = [purchases.expected_purchases(month, x, t_x, T),
                    purchases.expected_purchases(2 * month, x, t_x, T) - purchases.expected_purchases(month, x, t_x, T)]
        np.testing.assert_allclose(first, in_month[0] * spend.expected_spend(x, m) / 1.1 ** (1 / 12), rtol=1e-12)
        np.testing.assert_allclose(second - first, in_month[1] * spend.expected_spend(x, m) / 1.1 ** (2 / 12), rtol=1e-9)


def test_lifetime_value_does_not_depend_on_the_time_unit(bgnbd, pareto, spend, summary):
    x, t_x, T, m = summary["x"], summary["t_x"], summary["T"], summary["zbar"]
    in_days = {bgnbd: BGNBD(bgnbd.r, bgnbd.alpha * 7, bgnbd.a, bgnbd.b),
               pareto: ParetoNBD(pareto.r, pareto.alpha * 7, pareto.s, pareto.beta * 7)}
    for weekly, daily in in_days.items():
        np.testing.assert_allclose(lifetime_value(daily, spend, x, t_x * 7, T * 7, m, period_days=1),
                                   lifetime_value(weekly, spend, x, t_x, T, m, period_days=7), rtol=1e-9)


# ---------------------------------------------------------------------------- bad input

GOOD = {"x": [0, 2, 1], "t_x": [0.0, 5.0, 3.0], "T": [10.0, 10.0, 10.0]}
EXAMPLE = BGNBD(0.5, 5.0, 0.8, 2.5)


def _history_entry_points(args):
    yield lambda: BGNBD.fit(**args)
    yield lambda: ParetoNBD.fit(**args)
    yield lambda: EXAMPLE.p_alive(**args)
    yield lambda: EXAMPLE.expected_purchases(4, **args)
    yield lambda: ParetoNBD(0.5, 5.0, 0.8, 8.0).p_alive(**args)
    yield lambda: compress(**args)
    yield lambda: lifetime_value(EXAMPLE, GammaGamma(6, 4, 15), **args, m=np.ones(len(args["x"])), period_days=7)


@pytest.mark.parametrize("change, message", [
    ({"x": [0, -2, 1]}, r"x\[1\] = -2 is negative"),
    ({"t_x": [0, 5.0, np.nan]}, r"t_x\[2\] is nan, not a finite number"),
    ({"T": [10.0, np.inf, 10.0]}, r"T\[1\] is inf, not a finite number"),
    ({"T": [10.0, 10.0]}, r"x, t_x, T must have the same length \(x has 3, t_x has 3, T has 2\)"),
    ({"x": [], "t_x": [], "T": []}, r"x is empty"),
    ({"t_x": [0, 12.0, 3.0]}, r"t_x\[1\] = 12 exceeds T\[1\] = 10"),
    ({"t_x": [0, 0.0, 3.0]}, r"t_x\[1\] is 0 but x\[1\] = 2"),
    ({"t_x": [1.0, 5.0, 3.0]}, r"t_x\[0\] = 1 but x\[0\] is 0"),
    ({"x": [0, 2.5, 1]}, r"x\[1\] = 2.5 is not a whole number"),
    ({"x": [[0, 2, 1]]}, r"x must be one-dimensional"),
])
def test_bad_histories_name_the_argument_and_row(change, message):
    for call in _history_entry_points({**GOOD, **change}):
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.parametrize("weights, message", [
    ([1, 0, 2], r"weights\[1\] = 0 is not a positive whole number"),
    ([1, 1.5, 2], r"weights\[1\] = 1.5 is not a positive whole number"),
    ([1, -1, 2], r"weights\[1\] = -1 is negative"),
    ([1, np.nan, 2], r"weights\[1\] is nan"),
    ([1, 2], r"weights has shape \(2,\) but the data has 3 rows"),
])
def test_bad_weights_are_refused(weights, message):
    for model in (BGNBD, ParetoNBD):
        with pytest.raises(ValueError, match=message):
            model.fit(**GOOD, weights=weights)
    with pytest.raises(ValueError, match=message):
        GammaGamma.fit(GOOD["x"], [0.0, 10.0, 12.0], weights=weights)


@pytest.mark.parametrize("x, m, message", [
    ([0, 0, 0], [0.0, 0.0, 0.0], r"x has no customer with repeat purchases"),
    ([0, 2, 1], [0.0, -3.0, 5.0], r"m\[1\] = -3 is negative"),
    ([0, 2, 1], [0.0, 0.0, 5.0], r"m\[1\] is 0 but x\[1\] = 2"),
    ([0, 2, 1], [0.0, np.nan, 5.0], r"m\[1\] is nan"),
    ([0, 2], [0.0, 4.0, 5.0], r"x, m must have the same length \(x has 2, m has 3\)"),
    ([], [], r"x is empty"),
])
def test_bad_spend_is_refused(x, m, message):
    with pytest.raises(ValueError, match=message):
        GammaGamma.fit(x, m)


def test_bad_parameters_and_options_are_refused(summary, bgnbd):
    with pytest.raises(ValueError, match=r"BGNBD.alpha = -1 must be a positive number"):
        BGNBD(0.2, -1, 1, 1)
    with pytest.raises(ValueError, match=r"ParetoNBD.s = nan must be a positive number"):
        ParetoNBD(0.2, 1, float("nan"), 1)
    with pytest.raises(ValueError, match=r"GammaGamma.q = 0.5 must exceed 1"):
        GammaGamma(1, 0.5, 1).expected_spend([1], [10.0])
    with pytest.raises(ValueError, match=r"t = -1 must be a finite, non-negative time"):
        bgnbd.expected_purchases(-1, **GOOD)
    with pytest.raises(ValueError, match=r"penalizer = -1 must be a non-negative number"):
        BGNBD.fit(**GOOD, penalizer=-1)
    spend = GammaGamma(6, 4, 15)
    for option, message in [({"period_days": 0}, r"period_days = 0 must be a positive number of days"),
                            ({"period_days": 7, "months": 1.5}, r"months = 1.5 must be a positive whole number"),
                            ({"period_days": 7, "months": 0}, r"months = 0 must be a positive whole number"),
                            ({"period_days": 7, "annual_discount_rate": -0.1}, r"annual_discount_rate = -0.1 must be a non-negative")]:
        with pytest.raises(ValueError, match=message):
            lifetime_value(bgnbd, spend, **GOOD, m=[0.0, 10.0, 12.0], **option)
    with pytest.raises(AttributeError):
        bgnbd.r = 1.0  # fitted parameters are frozen
