"""Identity resolution (客户识别): one customer across every source (DESIGN §6).

A build runs three set-based steps in the warehouse, in one transaction:
``identifiers.py`` (every record's identifiers, junk blocked) → ``linking.py`` (deterministic
links, strongest identifier first, under the guard-rails documented there) → ``ids.py``
(customer ids stable across rebuilds, aliases for merged ids). ``query.py`` answers lookups and
explains a customer. The rules come from ``identity.yml`` (``huaxiang.domain.identity``).
"""

from huaxiang.identity.build import BuildResult, build
from huaxiang.identity.query import Conflict, Edge, Explanation, IdentityNotBuilt, Match, Record, explain, lookup

__all__ = ["BuildResult", "Conflict", "Edge", "Explanation", "IdentityNotBuilt", "Match", "Record", "build",
           "explain", "lookup"]
