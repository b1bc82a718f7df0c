"""Single sessions: the 30-minute six-stage protocol for a cohort, every event model on."""

from __future__ import annotations

from .common import SIX_STAGE, scenario


class Session:
    """``retrosim.run`` of one arm for a cohort, summaries only or with traces."""

    params = [1_000, 20_000]
    param_names = ["people"]
    timeout = 300

    def setup(self, people: int) -> None:
        import retrosim

        self.scenario = scenario(SIX_STAGE)
        retrosim.run(self.scenario, subjects=50, traces=False)     # imports, caches

    def time_summaries(self, people: int) -> None:
        import retrosim

        retrosim.run(self.scenario, subjects=people, traces=False)

    def peakmem_summaries(self, people: int) -> None:
        import retrosim

        retrosim.run(self.scenario, subjects=people, traces=False)

    def track_sessions_per_second(self, people: int) -> float:
        import time

        import retrosim

        start = time.perf_counter()
        retrosim.run(self.scenario, subjects=people, traces=False)
        return people / (time.perf_counter() - start)

    track_sessions_per_second.unit = "sessions/s"  # type: ignore[attr-defined]


class SessionTraces:
    """The same arm with its traces (the page and the lessons read them)."""

    timeout = 300

    def setup(self) -> None:
        import retrosim

        self.scenario = scenario(SIX_STAGE)
        retrosim.run(self.scenario, subjects=10, traces=True)

    def time_traces_500(self) -> None:
        import retrosim

        retrosim.run(self.scenario, subjects=500, traces=True)


class Bundled:
    """Every bundled scenario as shipped (its own people), once."""

    timeout = 600

    def setup(self) -> None:
        import retrosim

        retrosim.run(retrosim.load_scenario("compendium-2011"), traces=False)

    def time_compendium_2011(self) -> None:
        import retrosim

        retrosim.run(retrosim.load_scenario("compendium-2011"))

    def time_post_exercise_bp(self) -> None:
        import retrosim

        retrosim.run(retrosim.load_scenario("post-exercise-bp"))
