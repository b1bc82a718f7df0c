"""``retrosim design``: an NSGA-II search of a person's protocols under safety limits."""

from __future__ import annotations

#: The five-variable single-session problem of ``bench/bench_design.py`` (docs/design.md).
SCENARIO = "knee-rehab-first-session"
PROBLEM = dict(objectives=["energy_walking", "-fall_risk"],
               vary=["speed_mph=0.5..3.0", "grade_pct=0..8", "direction=forward,backward",
                     "minutes=5..30", "handrail=none,light"],
               limits=["hr_reserve_peak<=0.60", "fall_risk<=0.001", "sbp_peak<=180"])


class Design:
    """``retrosim.design`` with a budget of 200 candidates of ``draws`` versions each."""

    params = [100, 1_000]
    param_names = ["draws"]
    timeout = 600
    number = 1
    repeat = (1, 3, 60.0)

    def setup(self, draws: int) -> None:
        try:
            from retrosim.design.study import design
        except ImportError as exc:   # an older commit, or pymoo missing
            raise NotImplementedError(f"this commit cannot run a design: {exc}") from exc
        self.design = design
        self.design(SCENARIO, **PROBLEM, budget=20, seed=1, draws=10)   # warm the caches

    def time_design(self, draws: int) -> None:
        self.design(SCENARIO, **PROBLEM, budget=200, seed=1, draws=draws)

    def peakmem_design(self, draws: int) -> None:
        self.design(SCENARIO, **PROBLEM, budget=200, seed=1, draws=draws)
