"""``retrosim check``: a scalar controller in the loop, the safety invariants checked."""

from __future__ import annotations

CONTROLLER = "retrosim.controllers.examples:ProportionalHr"


class Check:
    """The bundled ``controller-regression`` scenario with the example HR controller."""

    params = [20, 100]
    param_names = ["subjects"]
    timeout = 600

    def setup(self, subjects: int) -> None:
        try:
            from retrosim.controllers import attach
            from retrosim.model.scenario import load_scenario
            from retrosim.testing import check_scenario
        except ImportError as exc:
            raise NotImplementedError(f"this commit has no check_scenario: {exc}") from exc
        self.check_scenario = check_scenario
        self.scenario = attach(load_scenario("controller-regression"), CONTROLLER)
        self.time_check(2)

    def time_check(self, subjects: int) -> None:
        sc = self.scenario
        self.check_scenario(sc, seed=sc.seed, subjects=subjects, step_s=sc.trace_step_s)
