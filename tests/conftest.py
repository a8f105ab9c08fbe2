"""Test-wide settings.

Property tests (hypothesis) are derandomized by default, so a run of the suite (and CI)
always tries the same examples and cannot fail by chance; set
``HYPOTHESIS_PROFILE=explore`` to search with fresh random examples, ten times as many.
"""
import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None,
                          max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
