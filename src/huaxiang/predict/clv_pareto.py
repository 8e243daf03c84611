"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases and lifetimes in continuous time.

Each customer buys at a Poisson rate λ ~ gamma(r, alpha) and stays a customer for an exponential
lifetime of rate μ ~ gamma(s, beta). Unlike BG/NBD a customer may leave at any moment, not only
right after a purchase, which costs a hypergeometric function in the likelihood; the formulas are
those of Fader & Hardie's note "A note on deriving the Pareto/NBD model and related expressions"
(2005). Inputs and time units are those of ``clv`` (x, t_x, T in one unit); the model plugs
into ``clv.lifetime_value`` like ``BGNBD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.special import expit, gammaln, hyp2f1

from huaxiang.predict.clv import as_arrays, check_positive, check_rfm, check_time, fit_purchases


def _log_tail(r, alpha, s, beta, x, y):
    """log ∫_y^∞ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ: dropping out some time after y, constant factors left out.

    The note writes it as 2F1(r+s+x, s+1 or r+x; r+s+x+1; |α-β| / (max(α,β)+y)) over a power of
    max(α,β)+y, with the branch chosen by which of α, β is larger. Euler's transformation turns
    both branches into 2F1(1, b; r+s+x+1; z) with b < r+s+x+1: a positive series bounded by
    1/(1-z), where the note's form overflows for frequent buyers (its c-a-b is 1-r-x). The
    powers it leaves behind are taken in logs.
    """
    rsx = r + s + x
    if alpha >= beta:
        z = (alpha - beta) / (alpha + y)
        series = hyp2f1(1.0, r + x, rsx + 1, z)
        powers = -s * np.log(beta + y) - (r + x) * np.log(alpha + y)
    else:
        z = (beta - alpha) / (beta + y)
        series = hyp2f1(1.0, s + 1, rsx + 1, z)
        powers = -(r + x - 1) * np.log(alpha + y) - (s + 1) * np.log(beta + y)
    return np.log(series) + powers - np.log(rsx)


def _log_left_between(r, alpha, s, beta, x, t_x, T):
    """log of s ∫_{t_x}^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ, -inf when t_x = T.

    Taken as the difference of two tails, the larger factored out so it never underflows.
    """
    after_last = _log_tail(r, alpha, s, beta, x, t_x)
    ratio = _log_tail(r, alpha, s, beta, x, T) - after_last
    with np.errstate(divide="ignore"):
        return np.log(s) + after_last + np.log(-np.expm1(np.minimum(ratio, 0.0)))


def _log_alive(r, alpha, s, beta, x, T):
    """log of (α+T)^-(r+x) (β+T)^-s: the part of the likelihood where the customer is alive at T."""
    return -(r + x) * np.log(alpha + T) - s * np.log(beta + T)


def _pareto_loglik(r, alpha, s, beta, x, t_x, T):
    """Per-customer log-likelihood of Fader & Hardie's note, summed in log space."""
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    return common + np.logaddexp(_log_alive(r, alpha, s, beta, x, T),
                                 _log_left_between(r, alpha, s, beta, x, t_x, T))


@dataclass(frozen=True)
class ParetoNBD:
    """Pareto/NBD parameters: purchase rates gamma(r, alpha), dropout rates gamma(s, beta).

    ``alpha`` and ``beta`` are in the time unit of the data it was fitted on; ``loglik``, ``n``
    and ``converged`` describe the fit, for a model card (None when given by hand).
    """

    r: float
    alpha: float
    s: float
    beta: float
    loglik: float | None = None
    n: int | None = None
    converged: bool | None = None

    PARAMETERS: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")

    def __post_init__(self) -> None:
        check_positive(self)

    @classmethod
    def fit(cls, x, t_x, T, weights=None, *, penalizer: float = 0.0) -> ParetoNBD:
        """Maximum-likelihood fit on a cohort's (x, t_x, T); ``weights`` count identical rows."""
        params, fitted = fit_purchases(_pareto_loglik, (1, 3), x, t_x, T, weights, penalizer)
        return cls(*params, **fitted)

    def log_likelihood(self, x, t_x, T) -> np.ndarray:
        """Log-likelihood of each customer's history under these parameters."""
        x, t_x, T = check_rfm(x, t_x, T)
        return _pareto_loglik(self.r, self.alpha, self.s, self.beta, x, t_x, T)

    def p_alive(self, x, t_x, T) -> np.ndarray:
        """Probability that each customer is still a customer at T."""
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
        params = (self.r, self.alpha, self.s, self.beta)
        log_odds_gone = _log_left_between(*params, x, t_x, T) - _log_alive(*params, x, T)
        return expit(-log_odds_gone)

    def _expected(self, t, x, t_x, T):
        """(r+x)(β+T) / ((α+T)(s-1)) · [1 - ((β+T)/(β+T+t))^(s-1)] · P(alive).

        The bracket over (s-1) is taken as -expm1(-(s-1)·u)/(s-1), u = log((β+T+t)/(β+T)),
        which stays exact near s = 1, where it tends to u.
        """
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        u = np.log1p(t / (beta + T))
        survival = u if s == 1 else -np.expm1(-(s - 1) * u) / (s - 1)
        return (r + x) * (beta + T) / (alpha + T) * survival * self._p_alive(x, t_x, T)
