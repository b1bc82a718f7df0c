"""Programmes: 12 weeks x 3 sessions for a cohort, the state carried between sessions."""

from __future__ import annotations

from .common import PROGRAMME, scenario


class Programme:
    """``retrosim.run`` of the 36-session programme, summaries only."""

    params = [1_000, 10_000]
    param_names = ["people"]
    timeout = 600
    number = 1
    repeat = (1, 3, 60.0)

    def setup(self, people: int) -> None:
        import retrosim

        self.scenario = scenario(PROGRAMME)
        if getattr(self.scenario, "program", None) is None:
            raise NotImplementedError("this commit has no programmes")
        retrosim.run(self.scenario, subjects=20, traces=False)

    def time_programme(self, people: int) -> None:
        import retrosim

        retrosim.run(self.scenario, subjects=people, traces=False)

    def peakmem_programme(self, people: int) -> None:
        import retrosim

        retrosim.run(self.scenario, subjects=people, traces=False)

    def track_person_sessions_per_second(self, people: int) -> float:
        import time

        import retrosim

        start = time.perf_counter()
        retrosim.run(self.scenario, subjects=people, traces=False)
        return people * len(self.scenario.program.schedule()) / (time.perf_counter() - start)

    track_person_sessions_per_second.unit = "person-sessions/s"  # type: ignore[attr-defined]
