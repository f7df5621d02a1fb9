"""Hypothesis settings shared by the property-based tests.

In the suite every property runs a bounded, derandomized number of examples (the same
examples each run); `ORION_FUZZ_EXAMPLES=10000` raises the count and draws fresh random
examples, for a long fuzz run by hand (see benchmarks/fuzz.py).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("ORION_FUZZ_EXAMPLES", "0")) or None


def fuzz_settings(suite_examples: int = 200) -> settings:
    return settings(
        max_examples=EXAMPLES or suite_examples,
        deadline=None,
        derandomize=EXAMPLES is None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
