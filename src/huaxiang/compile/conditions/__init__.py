"""Conditions -> Ibis expressions (nothing runs here).

``compile_value`` compiles over one table's rows (aggregated traits' filters and values, derived
traits); ``evaluate`` compiles a customer-scope condition (tags, segments, history) into a
``(customer_id, value)`` table. See docs/conditions.md.
"""

from .context import Context
from .customers import evaluate
from .values import compile_value

__all__ = ["Context", "compile_value", "evaluate"]
