"""Identity resolution (客户识别): one customer across every source (DESIGN §6).

A build runs three set-based steps in the warehouse, in one transaction:
``identifiers.py`` (every record's identifiers, junk blocked) → ``linking.py`` (deterministic
links, strongest identifier first, under the guard-rails documented there) → ``ids.py``
(customer ids stable across rebuilds, aliases for merged ids). ``query.py`` answers lookups and
explains a customer. ``golden.py`` picks each field of a customer's golden record by a survivorship
rule, keeping the record each value came from. ``review.py`` lists refused links for review and
records manual decisions (accept, reject, split) that ``decisions.py`` applies in every build.
The rules come from ``identity.yml`` (``huaxiang.domain.identity``).
"""

from huaxiang.identity.build import BuildResult, build
from huaxiang.identity.probabilistic import TooFewRecords, TrainedModel, fit
from huaxiang.identity.golden import GoldenRecord, GoldenValue, golden
from huaxiang.identity.query import (Conflict, Edge, Explanation, IdentityNotBuilt, Match, Record, explain, lookup,
                                     require_built)
from huaxiang.identity.review import (Candidate, Decision, DecisionError, ReviewItem, accept, list_decisions, reject,
                                      review, split)

__all__ = ["BuildResult", "Candidate", "Conflict", "Decision", "DecisionError", "Edge", "Explanation",
           "GoldenRecord", "GoldenValue", "IdentityNotBuilt", "Match", "Record", "ReviewItem", "TooFewRecords", "TrainedModel", "accept", "build", "fit",
           "explain", "golden", "list_decisions", "lookup", "reject", "require_built", "review", "split"]
