"""The what-if page: the run path of an update and drawing its figures."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


class PageUpdate:
    """Four arms for a Berg-44 patient (``bench/bench_app.py``'s scenario), 1,000 people."""

    timeout = 600
    people = 1_000

    def setup(self) -> None:
        try:
            import bench_app

            from retrosim.app import outcome
        except ImportError as exc:
            raise NotImplementedError(f"this commit has no page: {exc}") from exc
        self.bench_app, self.outcome = bench_app, outcome
        self.data = bench_app.scenario()
        self.done = outcome.run(self.data, "bench-app.toml", self.people)

    def time_run_path(self) -> None:
        self.bench_app._run(self.data, self.people)

    def time_figure_bp(self) -> None:
        self.bench_app._draw(self.done, "bp")

    def time_figure_hr(self) -> None:
        self.bench_app._draw(self.done, "hr")
