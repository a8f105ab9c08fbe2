"""Test-wide settings.

Property tests (hypothesis) are derandomized by default, so a run of the suite (and CI)
always tries the same examples and cannot fail by chance; set
``HYPOTHESIS_PROFILE=explore`` to search with fresh random examples each run.
"""
import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
