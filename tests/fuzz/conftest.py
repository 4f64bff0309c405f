"""Hypothesis profiles for the fuzz tests.

``suite`` (the default, what ``make test`` runs): 60 examples per test, no
per-example deadline (a loaded 2-core machine makes timing meaningless) and
derandomized, so the suite is reproducible: a fuzz test either fails on every
run or on none, and a failure names the same example each time. The database
is off, so runs leave no ``.hypothesis`` folder. ``explore`` (set
``HYPOTHESIS_PROFILE=explore``) is random, 2,000 examples a test, with the
example database on, for hunting new failures before adding them here.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "suite", max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile("explore", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
