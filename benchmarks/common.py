"""What the benchmarks share: the workloads of ``bench/workloads.py`` and a guard for commits
older than the interface a benchmark times.

asv imports these modules from this checkout and times them against the retrosim installed
for each commit, so a benchmark reaches retrosim only through its public interface
(``retrosim.run``, ``retrosim.Scenario``, ``retrosim.load_scenario``, the CLI's modules) and
skips a commit that lacks what it needs (``NotImplementedError`` in ``setup``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import workloads  # noqa: E402

SIX_STAGE = workloads.SIX_STAGE
PROGRAMME = workloads.PROGRAMME


def scenario(data: dict):
    """A scenario from a dictionary, or skip the commit if it cannot read it."""
    import retrosim

    try:
        return retrosim.Scenario.from_dict(data)
    except Exception as exc:  # an older commit without a key the workload uses
        raise NotImplementedError(f"this commit cannot read the workload: {exc}") from exc
