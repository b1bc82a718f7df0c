"""The variables the bundled event models add to a result, declared once as
:class:`~retrosim.variables.Variable` records; each model hands its catalogue to the engine and
results as :attr:`EventModel.variables <retrosim.events.base.EventModel.variables>`.

They sit apart from the models' code so that reading a result file checks its variables
against them without loading the models. The tags are those of
:mod:`retrosim.engine.variables`.
"""

from __future__ import annotations

from retrosim.variables import Catalogue, Variable

#: The variables the fall model adds (:mod:`retrosim.events.falls`).
FALLS = Catalogue(
    Variable("fall_risk", "1", "probability of a fall in the session as commanded, 1 - exp(-H): "
             "exact, not sampled (an upper bound when a tether pull may end the walk first)",
             {"design:2", "interval"}),
    Variable("fell", "1", "the walker fell during the session", {"required"}, group="falls",
             aim="min"),
    Variable("fall_time", "s", "time of the fall (NaN if none)", {"required"}),
    Variable("stumbles", "1", "perturbations the walker recovered from", {"required"}),
    Variable("estop", "1", "the emergency stop was triggered (tether pulled)", {"required"},
             aim="min"),
    Variable("fall_probability", "1", "share of sessions with a fall", {"per-arm"},
             group="falls"),
    Variable("fall_probability_low", "1", "fall probability, lower bound of the 95 % Wilson "
             "interval", {"per-arm"}, group="falls"),
    Variable("fall_probability_high", "1", "fall probability, upper bound of the 95 % Wilson "
             "interval", {"per-arm"}, group="falls"),
    Variable("falls_per_1000", "1", "expected falls per 1,000 sessions", {"per-arm"},
             group="falls"),
)

#: The variables the blood-pressure model adds (:mod:`retrosim.events.bp`).
BP = Catalogue(
    Variable("sbp_post_expected", "mmHg", "expected systolic pressure at the first valid "
             "reading after exercise (the model's value, without measurement noise)"),
    Variable("dbp_post_expected", "mmHg", "expected diastolic pressure at the first valid "
             "reading after exercise (the model's value, without measurement noise)"),
    Variable("sbp", "mmHg", "systolic blood pressure", {"trace", "plot"},
             bins=(50.0, 300.0, 500)),  # 0.5 per bin
    Variable("dbp", "mmHg", "diastolic blood pressure", {"trace", "plot"},
             bins=(20.0, 180.0, 320)),  # 0.5 per bin
    Variable("exercise_end", "s", "end of the last bout of exercise (NaN if none)"),
    Variable("bp_category_pre", "1", "ACC/AHA 2017 category of the resting pressure: 0 normal, "
             "1 elevated, 2 stage 1, 3 stage 2, 4 crisis"),
    Variable("sbp_first", "mmHg", "first seated reading after exercise, systolic",
             group="first reading"),
    Variable("dbp_first", "mmHg", "first seated reading after exercise, diastolic"),
    Variable("bp_first_valid", "1", "the first reading was 30 min or more after exercise",
             group="first reading"),
    Variable("bp_category_first", "1", "ACC/AHA 2017 category of the first reading (as "
             "bp_category_pre; -1 none)"),
    Variable("sbp_post", "mmHg", "first valid seated reading after exercise (30 min or later), "
             "systolic (NaN if none)", {"summary", "interval", "required"}),
    Variable("dbp_post", "mmHg", "first valid seated reading after exercise (30 min or later), "
             "diastolic (NaN if none)", {"summary", "interval", "required"}),
    Variable("sbp_nadir", "mmHg", "systolic pressure at the nadir of the post-exercise "
             "hypotension", {"interval", "programme-plot:3"}),
    Variable("dbp_nadir", "mmHg", "diastolic pressure at the nadir of the post-exercise "
             "hypotension", {"interval"}),
    Variable("bp_nadir_time", "s", "time of the systolic nadir after exercise (NaN if none)"),
    Variable("bp_category_post", "1", "ACC/AHA 2017 category of the first valid reading (as "
             "bp_category_pre; -1 none)"),
    Variable("sbp_recheck", "mmHg", "systolic recheck 5 min after the first reading of 180/120 "
             "or more (NaN if none)"),
    Variable("dbp_recheck", "mmHg", "diastolic recheck 5 min after the first reading of 180/120 "
             "or more (NaN if none)"),
    Variable("bp_reading_sbp", "mmHg", "seated reading, systolic", group="readings"),
    Variable("bp_reading_dbp", "mmHg", "seated reading, diastolic", group="readings"),
    Variable("bp_reading_time", "s", "time of the seated reading", group="readings"),
    Variable("bp_reading_valid", "1", "the reading is valid for diagnosis (30 min or more after "
             "exercise)", group="readings"),
    Variable("bp_reading_category", "1", "ACC/AHA 2017 category of the reading (as "
             "bp_category_pre; -1 none)", group="readings"),
    Variable("bp_recheck_sbp", "mmHg", "recheck 5 min after a reading of 180/120 or more, "
             "systolic (NaN if none)", group="readings"),
    Variable("bp_recheck_dbp", "mmHg", "recheck 5 min after a reading of 180/120 or more, "
             "diastolic (NaN if none)", group="readings"),
)
#: The variables of every bundled event model (:data:`retrosim.events.MODELS`).
BUNDLED = Catalogue(FALLS, BP)
