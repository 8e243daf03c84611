"""What a condition refers to: traits, tags, segments, history calls (for the definitions graph)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .functions import HISTORY
from .nodes import Call, Literal, Name, Node, children


def walk(node: Node, into_history: bool = True) -> Iterator[Node]:
    """Every node, depth first in source order; optionally not below history calls."""
    yield node
    if isinstance(node, Call) and node.name in HISTORY and not into_history:
        return
    for child in children(node):
        yield from walk(child, into_history)


def references(node: Node) -> set[str]:
    """Trait names (or column names, for a row-scope expression) the node reads in its own scope.

    Columns read inside history calls belong to the fact table, not to the customer: find them
    with ``references`` on the call's arguments (see ``history_calls``).
    """
    found = set()
    for sub in walk(node, into_history=False):
        if isinstance(sub, Name):
            found.add(sub.name)
    return found


def _labels(node: Node, function: str, aliases: Mapping[str, str] | None) -> set[str]:
    aliases = aliases or {}
    return {aliases.get(sub.args[0].value, sub.args[0].value) for sub in walk(node)
            if isinstance(sub, Call) and sub.name == function and sub.args
            and isinstance(sub.args[0], Literal) and sub.args[0].kind == "string"}


def tags_used(node: Node, tag_aliases: Mapping[str, str] | None = None) -> set[str]:
    """Tag names of has_tag(...) calls; labels resolved to names through ``tag_aliases``."""
    return _labels(node, "has_tag", tag_aliases)


def segments_used(node: Node, segment_aliases: Mapping[str, str] | None = None) -> set[str]:
    return _labels(node, "in_segment", segment_aliases)


def history_calls(node: Node) -> list[Call]:
    """The distinct history aggregate calls, in source order (equal calls appear once)."""
    found: list[Call] = []
    for sub in walk(node, into_history=False):
        if isinstance(sub, Call) and sub.name in HISTORY and sub not in found:
            found.append(sub)
    return found
