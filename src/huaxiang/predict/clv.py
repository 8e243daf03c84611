"""Customer lifetime value: BG/NBD purchases, Gamma-Gamma spend and their discounted product.

Each customer of a cohort is summarised by three numbers, all in one time unit (days or weeks;
the caller says which through ``period_days`` when it asks for a value in months):

* ``x``: repeat purchases (purchase days after the first one),
* ``t_x``: time from the first purchase to the last one (0 when ``x`` is 0),
* ``T``: time from the first purchase to the end of the calibration period.

``BGNBD`` (Fader, Hardie & Lee 2005, "Counting your customers the easy way") says how many more
purchases to expect and whether the customer is still alive; ``GammaGamma`` (Fader, Hardie & Lee
2005, "RFM and CLV: using iso-value curves"; Fader & Hardie 2013, "The Gamma-Gamma model of
monetary value") says what a purchase will be worth; ``lifetime_value`` discounts their product
month by month. ``clv_pareto.ParetoNBD`` (Schmittlein, Morrison & Colombo 1987) is the classic
alternative to BG/NBD and plugs into ``lifetime_value`` the same way.

Why written here on numpy + scipy: no maintained library fits these models on Python 3.11
without heavy baggage. ``lifetimes`` (last release 0.11.3, 2020) is unmaintained: it needs
autograd, imports ``pkg_resources`` and calls ``DataFrame.append``, gone since pandas 2 (the tests
read only its copy of the CDNOW data, as files); its successors (PyMC-Marketing, btyd) bring PyMC
and PyTensor along for a few closed-form likelihoods.

Fitting is maximum likelihood on the logarithms of the parameters (so they stay positive) with
L-BFGS-B. Time is divided by the mean of ``T`` (money by the mean spend) during the search, so
the scale parameters are of order one whatever the unit, and scaled back afterwards. ``weights``
count identical rows: ``compress`` turns a million customers into their distinct histories.
Everything is vectorized over customers; nothing loops over them in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, expit, gammaln, hyp2f1

__all__ = ["DAYS_PER_MONTH", "BGNBD", "GammaGamma", "PurchaseModel", "check_rfm", "compress", "lifetime_value"]
# maximize, check_weights, check_time, check_positive, as_arrays and mean_unit are shared with clv_pareto

#: the average calendar month, in days
DAYS_PER_MONTH = 365.25 / 12
#: the search keeps log-parameters inside ±this, so no exp() overflows on the way
_LOG_BOUND = 30.0


# ---------------------------------------------------------------------------- input checks

def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def as_arrays(**named) -> list[np.ndarray]:
    """The named values as 1-D float arrays of one length, non-empty, finite and non-negative."""
    arrays = {name: np.atleast_1d(np.asarray(values, dtype=float)) for name, values in named.items()}
    for name, arr in arrays.items():
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if len({len(arr) for arr in arrays.values()}) > 1:
        got = ", ".join(f"{name} has {len(arr)}" for name, arr in arrays.items())
        raise ValueError(f"{', '.join(arrays)} must have the same length ({got})")
    for name, arr in arrays.items():
        if arr.size == 0:
            raise ValueError(f"{name} is empty: there is no customer")
        if (i := _first(~np.isfinite(arr))) is not None:
            raise ValueError(f"{name}[{i}] is {arr[i]}, not a finite number")
        if (i := _first(arr < 0)) is not None:
            raise ValueError(f"{name}[{i}] = {arr[i]:g} is negative")
    return list(arrays.values())


def _check_whole(name: str, arr: np.ndarray) -> None:
    if (i := _first(arr != np.floor(arr))) is not None:
        raise ValueError(f"{name}[{i}] = {arr[i]:g} is not a whole number of purchases")


def check_rfm(x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated float arrays of repeat purchases, recency and age; errors name the first bad row."""
    x, t_x, T = as_arrays(x=x, t_x=t_x, T=T)
    _check_whole("x", x)
    if (i := _first(t_x > T)) is not None:
        raise ValueError(f"t_x[{i}] = {t_x[i]:g} exceeds T[{i}] = {T[i]:g}: "
                         "the last purchase cannot come after the end of the period")
    if (i := _first((x > 0) & (t_x == 0))) is not None:
        raise ValueError(f"t_x[{i}] is 0 but x[{i}] = {x[i]:g}: repeat purchases come after the first one")
    if (i := _first((x == 0) & (t_x > 0))) is not None:
        raise ValueError(f"t_x[{i}] = {t_x[i]:g} but x[{i}] is 0: without repeat purchases t_x is 0")
    return x, t_x, T


def check_weights(weights, n: int) -> np.ndarray:
    """Counts of identical rows (all ones when None), one per row of the data."""
    if weights is None:
        return np.ones(n)
    w = np.atleast_1d(np.asarray(weights, dtype=float))
    if w.ndim != 1 or len(w) != n:
        raise ValueError(f"weights has shape {w.shape} but the data has {n} rows")
    (w,) = as_arrays(weights=w)
    if (i := _first((w < 1) | (w != np.floor(w)))) is not None:
        raise ValueError(f"weights[{i}] = {w[i]:g} is not a positive whole number (a count of identical rows)")
    return w


def check_time(name: str, t) -> float:
    """A non-negative, finite horizon in the data's time unit."""
    value = float(t)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} = {t!r} must be a finite, non-negative time")
    return value


def check_positive(model) -> None:
    """Called by the models' __post_init__: every parameter of a gamma or beta mixing law is > 0."""
    for name in model.PARAMETERS:
        value = getattr(model, name)
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{type(model).__name__}.{name} = {value!r} must be a positive number")


def compress(x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, t_x, T) rows and how many customers share each: pass the counts as ``weights``.

    With time counted in whole days or weeks a cohort has far fewer distinct histories than
    customers, and the likelihood only needs each history once.
    """
    x, t_x, T = check_rfm(x, t_x, T)
    rows = np.column_stack([x, t_x, T])[np.lexsort((T, t_x, x))]  # np.unique(axis=0) is ten times slower
    starts = np.flatnonzero(np.r_[True, (rows[1:] != rows[:-1]).any(axis=1)])
    counts = np.diff(np.r_[starts, len(rows)])
    return rows[starts, 0], rows[starts, 1], rows[starts, 2], counts


# ---------------------------------------------------------------------------- fitting

def maximize(loglik: Callable[[np.ndarray], np.ndarray], weights: np.ndarray, n_params: int,
             penalizer: float) -> tuple[list[float], bool]:
    """Maximum-likelihood positive parameters (and whether the search converged).

    ``loglik(params)`` gives one log-likelihood per row. The objective is minus their weighted
    mean, so its scale, and the optimizer's tolerances, do not depend on the number of
    customers; ``penalizer`` adds an L2 penalty on the (rescaled) parameters, as lifetimes does,
    to tame flat likelihoods on small or degenerate data.
    """
    if not (np.isfinite(penalizer) and penalizer >= 0):
        raise ValueError(f"penalizer = {penalizer!r} must be a non-negative number")
    total = weights.sum()

    def objective(log_params: np.ndarray) -> float:
        params = np.exp(log_params)
        value = -np.dot(weights, loglik(params)) / total + penalizer * np.sum(params ** 2)
        return float(value) if np.isfinite(value) else 1e300  # a wall the line search backs off from

    result = minimize(objective, np.zeros(n_params), method="L-BFGS-B",
                      bounds=[(-_LOG_BOUND, _LOG_BOUND)] * n_params,
                      options={"maxiter": 5000, "ftol": 1e-13, "gtol": 1e-9})
    return [float(value) for value in np.exp(result.x)], bool(result.success)


def fit_purchases(loglik: Callable[..., np.ndarray], rates: tuple[int, ...], x, t_x, T, weights,
                  penalizer: float) -> tuple[list[float], dict[str, Any]]:
    """A purchase model's maximum-likelihood fit (BG/NBD, Pareto/NBD): the search runs in units of the
    mean ``T``; the parameters at ``rates`` (rates per time) go back to the data's unit. Returns the
    parameters and the fit's ``loglik``, ``n`` and ``converged``."""
    x, t_x, T = check_rfm(x, t_x, T)
    w = check_weights(weights, len(x))
    unit = mean_unit(T, w)
    params, converged = maximize(lambda p: loglik(*p, x, t_x / unit, T / unit), w, 4, penalizer)
    params = [p * unit if i in rates else p for i, p in enumerate(params)]
    return params, {"loglik": float(np.dot(w, loglik(*params, x, t_x, T))), "n": int(w.sum()), "converged": converged}


def mean_unit(values: np.ndarray, weights: np.ndarray) -> float:
    """The weighted mean of positive ``values``, the unit the search runs in (1 if there is none)."""
    mean = np.dot(weights, values) / weights.sum()
    return float(mean) if mean > 0 else 1.0


# ---------------------------------------------------------------------------- BG/NBD

def _bgnbd_loglik(r, alpha, a, b, x, t_x, T):
    """Per-customer log-likelihood of the BG/NBD paper, summed in log space.

    Alive at T, or dropped out right after the last purchase (only possible when x > 0).
    """
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    alive = betaln(a, b + x) - (r + x) * np.log(alpha + T)
    with np.errstate(invalid="ignore"):
        dropped = np.where(x > 0, betaln(a + 1, b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(alive, dropped)


@dataclass(frozen=True)
class BGNBD:
    """Beta-geometric / NBD: purchases at gamma-distributed Poisson rates (r, alpha), after each
    repeat purchase a beta-distributed chance (a, b) of leaving for good.

    ``alpha`` is in the time unit of the data it was fitted on. ``loglik`` (total, in that unit),
    ``n`` (customers) and ``converged`` describe the fit, for a model card; they are None when
    the parameters were given by hand.
    """

    r: float
    alpha: float
    a: float
    b: float
    loglik: float | None = None
    n: int | None = None
    converged: bool | None = None

    PARAMETERS: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")

    def __post_init__(self) -> None:
        check_positive(self)

    @classmethod
    def fit(cls, x, t_x, T, weights=None, *, penalizer: float = 0.0) -> BGNBD:
        """Maximum-likelihood fit on a cohort's (x, t_x, T); ``weights`` count identical rows."""
        params, fitted = fit_purchases(_bgnbd_loglik, (1,), x, t_x, T, weights, penalizer)
        return cls(*params, **fitted)

    def log_likelihood(self, x, t_x, T) -> np.ndarray:
        """Log-likelihood of each customer's history under these parameters."""
        x, t_x, T = check_rfm(x, t_x, T)
        return _bgnbd_loglik(self.r, self.alpha, self.a, self.b, x, t_x, T)

    def p_alive(self, x, t_x, T) -> np.ndarray:
        """Probability that each customer has not dropped out by T (1 without repeat purchases)."""
        return self._p_alive(*check_rfm(x, t_x, T))

    def expected_purchases(self, t: float, x, t_x, T) -> np.ndarray:
        """Expected purchases of each customer in (T, T + t] given the history."""
        return self._expected(check_time("t", t), *check_rfm(x, t_x, T))

    def expected_purchases_new(self, t) -> np.ndarray:
        """Expected purchases in (0, t] of a customer just acquired, for each horizon ``t``."""
        (t,) = as_arrays(t=t)
        zero = np.zeros_like(t)
        return self._expected(t, zero, zero, zero)

    def _p_alive(self, x, t_x, T):
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        log_odds_dead = (np.log(a) - np.log(b + np.maximum(x, 1) - 1)
                         + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        return np.where(x > 0, expit(-log_odds_dead), 1.0)

    def _expected(self, t, x, t_x, T):
        """(a+b+x-1)/(a-1) * [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] * P(alive).

        Euler's transformation turns the bracketed power times 2F1, whose factors over- and
        underflow for frequent buyers, into (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): bounded
        parameters, a large c, a well-behaved series.
        """
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        one_minus_z = (alpha + T) / (alpha + T + t)
        tail = one_minus_z ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, 1 - one_minus_z)
        return (a + b + x - 1) / (a - 1) * (1 - tail) * self._p_alive(x, t_x, T)


# ---------------------------------------------------------------------------- Gamma-Gamma

def _gamma_gamma_loglik(p, q, v, x, m):
    """Log density of a customer's mean spend m over x purchases (Fader & Hardie 2013)."""
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(x * m + v))


def _check_spend(x, m) -> tuple[np.ndarray, np.ndarray]:
    x, m = as_arrays(x=x, m=m)
    _check_whole("x", x)
    return x, m


@dataclass(frozen=True)
class GammaGamma:
    """Spend per purchase: gamma(p, ν) around each customer's own scale ν, itself gamma(q, v).

    Assumes spend is independent of purchase frequency. ``v`` is in the currency of the data it
    was fitted on; ``loglik``, ``n`` (repeat customers) and ``converged`` describe the fit.
    """

    p: float
    q: float
    v: float
    loglik: float | None = None
    n: int | None = None
    converged: bool | None = None

    PARAMETERS: ClassVar[tuple[str, ...]] = ("p", "q", "v")

    def __post_init__(self) -> None:
        check_positive(self)

    @classmethod
    def fit(cls, x, m, weights=None, *, penalizer: float = 0.0) -> GammaGamma:
        """Fit on every customer with x > 0 repeat purchases and m, the mean of their values.

        Rows with x = 0 are allowed and ignored, so the arrays of a BG/NBD fit can be passed as
        they are.
        """
        x, m = _check_spend(x, m)
        w = check_weights(weights, len(x))
        repeat = x > 0
        if not repeat.any():
            raise ValueError("x has no customer with repeat purchases (x > 0): "
                             "the Gamma-Gamma model is fitted on repeat customers' mean spend")
        if (i := _first(repeat & (m == 0))) is not None:
            raise ValueError(f"m[{i}] is 0 but x[{i}] = {x[i]:g}: a repeat customer's mean spend must be positive")
        x, m, w = x[repeat], m[repeat], w[repeat]
        unit = mean_unit(m, w)
        (p, q, v), converged = maximize(lambda params: _gamma_gamma_loglik(*params, x, m / unit), w, 3, penalizer)
        loglik = float(np.dot(w, _gamma_gamma_loglik(p, q, v * unit, x, m)))
        return cls(p, q, v * unit, loglik=loglik, n=int(w.sum()), converged=converged)

    def expected_spend(self, x, m) -> np.ndarray:
        """Expected value of a customer's next purchase: their mean m shrunk to the population's.

        Customers without repeat purchases (x = 0) get the population mean p·v/(q-1), whatever m.
        """
        x, m = _check_spend(x, m)
        p, q, v = self.p, self.q, self.v
        if q <= 1:
            raise ValueError(f"GammaGamma.q = {q:g} must exceed 1: the mean spend is infinite otherwise")
        return p * (v + x * m) / (p * x + q - 1)


# ---------------------------------------------------------------------------- lifetime value

class PurchaseModel(Protocol):
    """What ``lifetime_value`` needs of a purchase model: ``BGNBD`` and ``ParetoNBD`` both fit."""

    def expected_purchases(self, t: float, x, t_x, T) -> np.ndarray: ...


def lifetime_value(purchases: PurchaseModel, spend: GammaGamma, x, t_x, T, m, *,
                   period_days: float, months: int = 12, annual_discount_rate: float = 0.1) -> np.ndarray:
    """Expected discounted value of each customer's purchases over the next ``months``.

    ``period_days`` is the length in days of the time unit of x, t_x and T (7 for weeks, 1 for
    days), so that a month is ``DAYS_PER_MONTH / period_days`` units. The purchases expected in
    month k are discounted by (1 + monthly rate)^k, the monthly rate being the one that compounds
    to ``annual_discount_rate`` over twelve months; each is worth the Gamma-Gamma expected spend.
    The loop runs over months; every step is vectorized over customers.
    """
    if not (np.isfinite(period_days) and period_days > 0):
        raise ValueError(f"period_days = {period_days!r} must be a positive number of days")
    if int(months) != months or months < 1:
        raise ValueError(f"months = {months!r} must be a positive whole number")
    if not (np.isfinite(annual_discount_rate) and annual_discount_rate >= 0):
        raise ValueError(f"annual_discount_rate = {annual_discount_rate!r} must be a non-negative rate")
    value_per_purchase = spend.expected_spend(x, m)
    x, t_x, T = check_rfm(x, t_x, T)
    month = DAYS_PER_MONTH / period_days
    monthly_discount = (1 + annual_discount_rate) ** (1 / 12)
    value = np.zeros_like(x)
    before = np.zeros_like(x)
    for k in range(1, int(months) + 1):
        cumulative = purchases.expected_purchases(k * month, x, t_x, T)
        value += (cumulative - before) / monthly_discount ** k
        before = cumulative
    return value * value_per_purchase
