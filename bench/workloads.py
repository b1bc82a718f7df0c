"""Scenarios shared by the benchmarks (``bench/``, ``benchmarks/``) and the fingerprint check.

``SIX_STAGE``: a 30-minute six-stage protocol (a forward warm-up, four backward stages with
grades, one with a light handrail touch, a forward cool-down) for a cohort of 60- to
85-year-olds with their own resting pressures and Berg scores: every event model has work
(falls, guidance, blood-pressure alarms and readings). ``PROGRAMME``: 12 weeks x 3 sessions of
a 25-minute backward session for the same kind of cohort.
"""

from __future__ import annotations

STAGES = [
    "walk forward at 2.5 mph for 5 min",
    "walk backward at 1.5 mph for 5 min",
    "walk backward at 2.0 mph, 5% grade for 5 min",
    {"direction": "backward", "speed_mph": 2.0, "grade_pct": 8, "duration_min": 5,
     "handrail": "light"},
    "walk backward at 1.5 mph, 3% grade for 5 min",
    "walk forward at 2.0 mph for 5 min",
]

COHORT = {"size": 1000,
          "age_yr": {"dist": "normal", "mean": 70, "sd": 6, "min": 60, "max": 85},
          "sex": {"female": 0.6, "male": 0.4},
          "mass_kg": {"dist": "normal", "mean": 72, "sd": 12, "min": 45, "max": 120},
          "berg": {"dist": "uniform", "min": 38, "max": 52},
          "resting_bp_mmhg": [{"dist": "normal", "mean": 138, "sd": 14, "min": 120, "max": 190},
                              {"dist": "normal", "mean": 84, "sd": 9, "min": 60, "max": 110}]}

SIX_STAGE = {"name": "bench-six-stage-cohort", "seed": 1, "cohort": COHORT,
             "arms": {"six-stage": {"stages": STAGES}}}

PROGRAMME = {
    "name": "bench-programme", "seed": 1, "cohort": COHORT,
    "program": {"weeks": 12, "sessions_per_week": 3},
    "arms": {"backward": {
        "stages": ["walk forward at 1.5 mph for 3 min", "walk backward at 1.5 mph for 15 min",
                   "walk forward at 1.5 mph for 3 min", "rest for 4 min"],
        "handrail": "light",
        "progression": {"speed_mph_per_week": 0.1, "max_speed_mph": 2.5}}},
}
