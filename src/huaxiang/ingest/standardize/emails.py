"""E-mail addresses: normalized, lower-cased and checked for a plausible ``local@domain.tld``.

The check is deliberately practical rather than RFC 5322 complete: it accepts what real mail
systems deliver to and rejects typos that would poison identity matching (two ``@``, no TLD,
spaces, ``..``).
"""

from __future__ import annotations

import ibis.expr.types as ir

from ._registry import Cleaned, null_string, rejected, standardizer
from .text import normalize

_LOCAL = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_EMAIL = rf"^{_LOCAL}@({_LABEL}\.)+[a-z]{{2,24}}$"


@standardizer("email")
def email(col: ir.StringValue) -> Cleaned:
    text = normalize(col).lower()
    ok = text.re_search(_EMAIL) & (text.length() <= 254)
    value = ok.ifelse(text, null_string())
    return Cleaned(value, rejected(text, value, "invalid_email"))
