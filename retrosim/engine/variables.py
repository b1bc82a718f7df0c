"""The variables every run holds: those of the session's trajectory and engine, and those of a
programme's calendar, declared once as :class:`~retrosim.variables.Variable` records.

Each event model declares its own (:attr:`retrosim.events.base.EventModel.variables`); the
results layer joins them (:data:`retrosim.results.dataset.VARIABLES`). The tags say what a
variable is for:

- ``trace``: a contract trace on (arm, subject, time); ``plot``: drawn over time in the report
  and on the page, in this order; ``golden:N``: recorded in a golden trace (N-th column) with
  its ``tolerance``; ``safety``: a trace the safety invariants read
  (:mod:`retrosim.testing.invariants`);
- ``summary``: a contract summary per subject; ``interval``: gets a 90 % prediction interval
  when one person is simulated; ``required``: every session result holds it; ``headline:N``:
  shown first when arms are compared; ``programme-plot:N``: a session outcome drawn over a
  programme; ``design:N``: an outcome a protocol design may aim at or limit, as it stands (N-th
  column of a single-session design's outcomes, ``retrosim.design.session.OUTCOMES``);
- ``per-arm``: one value per arm;
- the energy and mean-MET summaries name their definition in ``long_name`` after a comma,
  ``"energy, while walking"`` or ``"energy, whole session"`` (:data:`WHILE_WALKING`,
  :data:`WHOLE_SESSION`): the run table, the report and the page print those words;
- a programme's ``state``: the daily state, in page order; ``state-interval``: the bounds
  (``<state>_low``, ``<state>_high`` on arm and day) of one person's 90 % prediction interval
  of a daily state; ``change``: an outcome of a programme design as its change from the first
  to the last morning.
"""

from __future__ import annotations

from retrosim.variables import Catalogue, Variable

_EVENTS = "event log"
#: The two definitions of a session's energy and mean MET, named in their ``long_name`` after
#: the quantity and a comma ("energy, while walking"): while the belt moves (rest stages left
#: out), or over the whole session (rest stages and the recovery in them included).
WHILE_WALKING = "while walking"
WHOLE_SESSION = "whole session"

#: The variables of every session run (the trajectory's, the subjects' traits, the console's,
#: the protocol's and the event log).
SESSION = Catalogue(
    Variable("time", "s", "time since the start"),
    Variable("speed", "m s-1", "belt speed", {"trace", "plot", "golden:0", "safety"}, group="belt",
             tolerance=0.01),
    Variable("direction", "1", "walking direction (+1 forward, -1 backward, 0 after the arm "
             "ends)", {"trace", "safety"}, group="belt"),
    Variable("grade", "1", "treadmill grade (rise over run)", {"trace", "golden:1", "safety"},
             tolerance=0.001),
    Variable("met", "1", "metabolic demand of the current activity, MET", {"trace"}),
    Variable("vo2", "mL kg-1 min-1", "oxygen uptake", {"trace", "plot", "golden:5"},
             tolerance=0.5, bins=(0.0, 90.0, 900)),  # 0.1 per bin
    Variable("hr", "min-1", "heart rate", {"trace", "plot", "golden:2", "safety"},
             tolerance=1.0,
             bins=(30.0, 230.0, 400)),  # 0.5 per bin
    Variable("hr_sensor", "min-1", "heart rate as the console's sensor read it (NaN: no "
             "signal)", {"golden:3"}, tolerance=1.0),
    Variable("target_speed", "m s-1", "belt speed the console was last commanded",
             {"golden:4"}, tolerance=0.01),
    Variable("target_grade", "1", "grade the console was last commanded"),
    Variable("energy", "kcal", "energy expended since the start", {"trace", "golden:6"},
             tolerance=0.5),
    Variable("energy_total", "kcal", f"energy, {WHOLE_SESSION}",
             {"summary", "interval", "required", "headline:0", "programme-plot:2"}, aim="max"),
    Variable("vo2_peak", "mL kg-1 min-1", "peak oxygen uptake",
             {"summary", "interval", "required", "headline:2", "programme-plot:1", "design:5"}),
    Variable("hr_peak", "min-1", "peak heart rate",
             {"summary", "interval", "required", "headline:1", "programme-plot:0", "design:4"}),
    Variable("hr_rest", "min-1", "resting heart rate"),
    Variable("hr_max", "min-1", "maximal heart rate (predicted by [energy] hr_max when not "
             "given)"),
    Variable("vo2_max", "mL kg-1 min-1", "maximal oxygen uptake (predicted when not given)"),
    Variable("hr_ceiling", "min-1", "heart-rate ceiling of the safety limits (controlled "
             "arms)"),
    Variable("command_speed_step", "m s-1", "largest rise of the target speed asked for in "
             "one controller call (controlled arms; 0 if none)"),
    Variable("command_speed_step_time", "s", "time of that largest speed rise (NaN if none)"),
    Variable("command_grade_step", "1", "largest rise of the target incline asked for in one "
             "controller call (controlled arms; 0 if none)"),
    Variable("command_grade_step_time", "s", "time of that largest incline rise (NaN if none)"),
    Variable("met_mean", "1", f"mean MET, {WHOLE_SESSION}", {"summary", "interval"}),
    Variable("energy_exercise", "kcal", f"energy, {WHILE_WALKING}", {"interval"}),
    Variable("met_mean_exercise", "1", f"mean MET, {WHILE_WALKING}", {"interval"}),
    Variable("exercise_time", "s", "time the belt moved"),
    Variable("duration", "s", "duration of the arm's protocol", {"per-arm"}),
    Variable("stop_reason", "1", "why the session stopped (see flag_meanings: the protocol ran "
             "to its end, an emergency stop, a blood-pressure stop criterion, another stop)"),
    Variable("event_kind", "", "kind of the event (fault, alarm, stop, ...)", text=True,
             group=_EVENTS),
    Variable("event_arm", "", "arm of the event", text=True, group=_EVENTS),
    Variable("event_subject", "1", "subject of the event (-1: every subject of the arm)",
             group=_EVENTS),
    Variable("event_time", "s", "time of the event", group=_EVENTS),
    Variable("event_detail", "", "what happened, in words", text=True, group=_EVENTS),
)

#: A programme's daily state, each morning on (arm, subject, day).
_STATE = (
    Variable("vo2max", "mL kg-1 min-1", "maximal oxygen uptake", {"state", "change"}),
    Variable("hr_rest", "min-1", "resting heart rate", {"state"}),
    Variable("sbp_rest", "mmHg", "true seated resting pressure, systolic", {"state", "change"}),
    Variable("dbp_rest", "mmHg", "true seated resting pressure, diastolic", {"state"}),
    Variable("berg", "1", "Berg Balance Scale score, points (0-56, may be fractional)",
             {"state", "change"}),
    Variable("backward_practice", "min", "accumulated effective backward-walking practice",
             {"state"}),
)


def _bounds(v: Variable) -> tuple[Variable, Variable]:
    """The lower and upper bounds of the 90 % prediction interval of the daily state ``v`` of
    one person's programme, each on (arm, day), tagged ``state-interval``.

    >>> low, high = _bounds(_STATE[0])
    >>> low.name, high.units
    ('vo2max_low', 'mL kg-1 min-1')
    >>> high.long_name
    'maximal oxygen uptake, upper bound of the 90% prediction interval'
    """
    def bound(end: str, word: str) -> Variable:
        return Variable(f"{v.name}_{end}", v.units,
                        f"{v.long_name}, {word} bound of the 90% prediction interval",
                        {"state-interval"})

    return bound("low", "lower"), bound("high", "upper")


#: A programme's own variables: the daily state, the calendar's per-session outcomes and its
#: event log (the sessions' variables are :data:`SESSION`'s and the event models'; these take
#: their place in a programme's result where a name is in both).
PROGRAMME = Catalogue(
    Variable("day", "d", "whole days since the start of the programme (the state each "
             "morning)"),
    *_STATE,
    *(bound for v in _STATE for bound in _bounds(v)),
    Variable("session_day", "d", "day of the session"),
    Variable("attended", "1", "the person walked this session (false: paused or stopped)"),
    Variable("backward_min", "min", "minutes walked backward in the session"),
    Variable("reserve_min", "min", "session load: minutes x fraction of the VO2 reserve in "
             "use"),
    Variable("impulse", "min", "training impulse: minutes weighted by intensity relative to "
             "reserve"),
    Variable("dose_impulse", "min", "training impulse of the programme model's own "
             "weighting (with an intensity floor): minutes weighted by intensity relative to "
             "reserve"),
    Variable("hr_rest_used", "min-1", "resting heart rate the session used"),
    Variable("vo2max_used", "mL kg-1 min-1", "VO2max the session used"),
    Variable("event_day", "d", "day of the programme event"),
    Variable("event_time", "s", "time of the programme event since the start (86,400 s a "
             "day)"),
    Variable("session_protocol", "", "the session's protocol, in words (empty: no session)",
             text=True),
    Variable("programme_fall_risk", "1", "probability of at least one fall over the "
             "programme, 1 - prod(1 - fall_risk) over its sessions as scheduled, for the "
             "person as given: exact, not sampled", {"per-arm"}),
    Variable("programme_fall_risk_low", "1", "probability of at least one fall over the "
             "programme, lower bound of the 90% prediction interval", {"per-arm"}),
    Variable("programme_fall_risk_high", "1", "probability of at least one fall over the "
             "programme, upper bound of the 90% prediction interval", {"per-arm"}),
)
