"""Suite-wide settings: property tests explore at random locally and replay a fixed set in CI.

Locally, hypothesis draws new examples on every run (and keeps failures in ``.hypothesis/``);
with ``CI`` set, it draws the same examples every time, so a run of ``.ci/run`` is reproducible.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
