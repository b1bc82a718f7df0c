"""Blood pressure in a run: exercise alarms and stops, traces, post-exercise readings.

One per-subject event model (:data:`MODEL`), with two hooks the engine calls:

- :func:`exercise_alarms` watches each subject's pressure during exercise
  (:class:`~retrosim.solve.bp_course.PressureCourse`) and logs the first exaggerated response
  (``bp-exaggerated``) and the first ACC/AHA stop criterion (``bp-stop-criterion``); a scenario
  whose ``[bp] stop_on`` names the kind stops the session there.
- :func:`after_exercise` runs on the final session: the ``sbp`` and ``dbp`` traces, the nadir
  of the post-exercise hypotension, and the seated readings a person takes after exercise
  (``bp-reading``), each with measurement noise, flagged when it is too soon after exercise to
  be valid for diagnosis, classified by ACC/AHA 2017, and rechecked 5 minutes later when it
  is 180/120 or more (``bp-recheck``).

The falling-SBP stop criterion is not watched: the modelled pressor response never falls while
the workload rises (pressure only falls toward a lower workload's level), so it could not fire;
:func:`retrosim.physiology.pressure.sbp_fall_as_workload_rises` applies it to measured series.

Readings are drawn from the stream ``randomness.key("bp", arm)``: four normals per scheduled
reading (the reading and its possible recheck, systolic and diastolic), whatever happens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from retrosim import randomness
from retrosim.engine.session import register_stop
from retrosim.errors import InputError
from retrosim.events.base import EventModel
from retrosim.events.variables import BP
from retrosim.model.options import STOP_KINDS, BpOptions
from retrosim.physiology import exercise_pressure, peh_models, pressure
from retrosim.physiology.registry import reference_key
from retrosim.solve import bp_crossing
from retrosim.solve.bp_course import (
    PatchedCourse,
    PressureCourse,
    columns,
    resting_and_person,
    vo2max_in_met,
)

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from retrosim.engine.session import Session

def _options(session: Session) -> BpOptions:
    return getattr(session.scenario, "bp", None) or BpOptions()


def _course(session: Session) -> PressureCourse | PatchedCourse:
    """The session's pressure course. The one built during exercise is kept for the
    aftermath; subjects whose sessions were stopped (``Session.apply_stops``) get their own."""
    options = _options(session)
    per_met = (options.sbp_per_met_mmhg, pressure.DBP_PER_MET_MMHG)
    peh = peh_models.PEH_MODELS[options.peh]
    kept = session.memo.get("bp")
    if kept is None:
        if options.model == "per-met":
            course = PressureCourse.of(session, per_met, peh)
        else:
            rest, person = resting_and_person(session, peh)
            course = PressureCourse.build(
                session.timeline, session.trajectory.met, rest, person, per_met, peh,
                vo2max_met=vo2max_in_met(session), targets=_targets(session, options),
                age_yr=session.cohort.age_yr)
        session.memo["bp"] = course
        return course
    if session.patch is not None:          # the stopped subjects, solved apart
        moved, timeline, met = session.patch.idx, session.patch.part.timeline, \
            session.patch.part.met
    elif kept.timeline is session.timeline:
        return kept
    else:
        moved = np.nonzero(np.isfinite(session.t_stop)
                           & (session.t_stop < kept.timeline.duration_s))[0]
        timeline, met = columns(session.timeline, moved), session.trajectory.met[:, moved]
    rest, person = resting_and_person(session, peh)
    targets = _targets(session, options, moved, met)
    patch = PressureCourse.build(timeline, met, rest[:, moved], person[moved], per_met, peh,
                                 vo2max_met=vo2max_in_met(session)[moved], targets=targets,
                                 age_yr=session.cohort.age_yr[moved])
    return PatchedCourse(kept, moved, patch)


def _targets(session: Session, options: BpOptions, rows: np.ndarray | None = None,
             met: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """The steady-state rises (K, n) of a pressor model other than "per-met" at the knots,
    for subjects ``rows`` (all when None) whose demand is ``met`` (K, n) (the session's when
    None); None for "per-met"."""
    if options.model == "per-met":
        return None
    c, pick = session.cohort, (slice(None) if rows is None else rows)
    model = exercise_pressure.PRESSOR_MODELS[options.model]
    if met is None and (distinct := session.timeline.distinct) is not None:
        first, each = distinct             # knots of the same inputs: evaluated once
        return tuple(u[each] for u in model(session.trajectory.met[first][:, pick],
                                            vo2max_in_met(session)[pick], c.age_yr[pick],
                                            c.female[pick]))
    return model(session.trajectory.met[:, pick] if met is None else met,
                 vo2max_in_met(session)[pick], c.age_yr[pick], c.female[pick])


#: The alarms watched during exercise: (kind, stop_on name, pressure, strict, level, detail).
_ALARMS = (
    ("bp-exaggerated", "exaggerated", 0, False, None,
     "SBP reached {:g} mmHg: exaggerated response ({})"),
    ("bp-exaggerated", "exaggerated", 1, False, pressure.EXAGGERATED_DBP_MMHG,
     "DBP reached {:g} mmHg: exaggerated response"),
    ("bp-stop-criterion", "acc-aha", 0, True, pressure.STOP_SBP_MMHG,
     "SBP above {:g} mmHg: ACC/AHA stop criterion"),
    ("bp-stop-criterion", "acc-aha", 1, True, pressure.STOP_DBP_MMHG,
     "DBP above {:g} mmHg: ACC/AHA stop criterion"),
)


#: The stops ``[bp] stop_on`` may ask for (:data:`retrosim.model.options.STOP_KINDS`), by
#: its name: the stop kinds this model raises.
BP_STOPS = {
    "acc-aha": register_stop("bp-acc-aha", 2, "an ACC/AHA stop criterion during exercise (SBP "
                             "above 250 or DBP above 115 mmHg), asked for by [bp] stop_on"),
    "exaggerated": register_stop("bp-exaggerated", 3, "an exaggerated blood-pressure response "
                                 "during exercise, asked for by [bp] stop_on"),
}


def exercise_alarms(session: Session) -> None:
    """Log each subject's first exaggerated response and stop criterion; stop if asked."""
    options = _options(session)
    course = _course(session)
    female = session.cohort.female
    first = {name: np.full(session.size, np.inf) for name in STOP_KINDS}
    for kind, name, which, strict, level, detail in _ALARMS:
        if level is None:
            limits = pressure.EXAGGERATED_SBP_MMHG
            limit = np.where(female, limits["female"], limits["male"])
        else:
            limit = np.full(session.size, level)
        when = bp_crossing.first_crossing(course, which, limit, strict)
        hit = np.nonzero(np.isfinite(when))[0]
        if hit.size == 0:
            continue
        suffix = "; session stopped" if name in options.stop_on else ""
        words: np.ndarray | str
        if level is None:
            words = np.where(female[hit], detail.format(limits["female"], "threshold for women")
                             + suffix, detail.format(limits["male"], "threshold for men")
                             + suffix).astype(object)
        else:
            words = detail.format(level) + suffix
        session.log.add_many(when[hit], hit, kind, words)
        first[name] = np.minimum(first[name], when)
    for name in options.stop_on:
        hit = np.nonzero(np.isfinite(first[name]))[0]
        if hit.size:
            session.propose_stop(hit, first[name][hit], BP_STOPS[name])


def readings_schedule_s(session: Session) -> np.ndarray:
    """The arm's reading times after exercise [s]: its own, else the scenario's."""
    own = getattr(session.arm, "bp_readings_min", None)
    minutes = own if own is not None else _options(session).readings_min
    return np.asarray(minutes, dtype=float) * 60.0


def after_exercise(session: Session) -> None:
    """Traces, the PEH nadir and the readings after exercise, on the final session.

    Readings go to ``session.series`` on the dimension ``reading`` (time, SBP, DBP, validity,
    category, and the recheck of each reading of 180/120 or more, NaN otherwise); each recheck
    is also an event (``bp-recheck``) whose detail gives both readings.
    """
    course = _course(session)
    session.traces["sbp"] = lambda t: course.sample(t)[0]
    session.traces["dbp"] = lambda t: course.sample(t)[1]
    c, n = session.cohort, session.size
    end = course.last_end_s
    nadir, nadir_time = course.nadir()
    session.summary.update(
        exercise_end=end, sbp_nadir=nadir[0], dbp_nadir=nadir[1], bp_nadir_time=nadir_time[0],
        bp_category_pre=pressure.acc_aha_category(c.sbp_rest, c.dbp_rest))

    offsets = readings_schedule_s(session)
    r = offsets.size
    rested = np.isnan(end)                     # never walked: readings count from the start
    times = np.nan_to_num(end)[None, :] + offsets[:, None]              # (R, N)
    z = randomness.normal(session.seed, randomness.key("bp", session.arm.name), c.index, 4 * r)
    z = z.reshape(n, r, 4).transpose(2, 1, 0)                          # (4, R, N)
    sd = np.asarray(_options(session).noise_sd_mmhg, dtype=float)[:, None, None]
    expected = course.at_rest_after(times)     # the person's pressure then, before cuff noise
    read = pressure.seated_reading(expected, z[:2], sd)
    valid = pressure.valid_for_diagnosis(offsets)[:, None] | rested[None, :]
    recheck = pressure.needs_recheck(read[0], read[1])
    again = np.full(read.shape, np.nan)
    if recheck.any():
        again = np.where(recheck, pressure.seated_reading(
            course.at_rest_after(times + pressure.RECHECK_AFTER_S), z[2:], sd), np.nan)
        _log_rechecks(session, times, offsets, rested, read, recheck, again)
    category = pressure.acc_aha_category(read[0], read[1])
    session.series.update({
        "bp_reading_time": ("reading", times.T), "bp_reading_sbp": ("reading", read[0].T),
        "bp_reading_dbp": ("reading", read[1].T), "bp_reading_valid": ("reading", valid.T),
        "bp_reading_category": ("reading", category.T),
        "bp_recheck_sbp": ("reading", again[0].T), "bp_recheck_dbp": ("reading", again[1].T)})

    def first(flags: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Each subject's values (2, N) at their first flagged reading (NaN if none)."""
        if r == 0:
            return np.full((2, n), np.nan)
        flat = np.argmax(flags, axis=0) * n + np.arange(n)      # one gather from (2, R N)
        at = np.take(values.reshape(2, r * n), flat, axis=1)
        return np.where(flags.any(axis=0), at, np.nan)

    shown, post = first(np.ones_like(valid), read), first(valid, read)
    mean = first(valid, expected)
    rechecked = first(recheck, again)
    session.summary.update(
        sbp_first=shown[0], dbp_first=shown[1], bp_first_valid=valid[0] if r else valid.any(0),
        bp_category_first=pressure.acc_aha_category(shown[0], shown[1]),
        sbp_post=post[0], dbp_post=post[1], sbp_post_expected=mean[0], dbp_post_expected=mean[1],
        bp_category_post=pressure.acc_aha_category(post[0], post[1]),
        sbp_recheck=rechecked[0], dbp_recheck=rechecked[1])


def _log_rechecks(session: Session, times: np.ndarray, offsets: np.ndarray,
                  rested: np.ndarray, read: np.ndarray, recheck: np.ndarray,
                  again: np.ndarray) -> None:
    """One ``bp-recheck`` event per reading of 180/120 or more, 5 min after it, e.g.
    ``"5 min after exercise: 142/88 mmHg, stage 2; recheck of 186/90 mmHg (crisis) at 0 min:
    now below 180/120"``. Each distinct detail is formatted once."""
    rows, cols = np.nonzero(recheck)
    first = read[:, rows, cols].astype(np.int64)
    second = again[:, rows, cols].astype(np.int64)
    fields = np.stack([rows, rested[cols].astype(np.int64), *first, *second])
    unique, inverse = np.unique(fields, axis=1, return_inverse=True)
    texts = []
    classes = zip(pressure.acc_aha_category(unique[4], unique[5]).tolist(),     # all at once
                  pressure.acc_aha_category(unique[2], unique[3]).tolist(),
                  pressure.needs_recheck(unique[4], unique[5]).tolist(), strict=True)
    for (i, start, s1, d1, s2, d2), (c2, c1, still) in zip(unique.T.tolist(), classes,
                                                          strict=True):
        minutes = offsets[i] / 60.0
        origin = "the start" if start else "exercise"
        texts.append(
            f"{minutes + pressure.RECHECK_AFTER_S / 60:g} min after {origin}: {s2}/{d2} mmHg, "
            f"{pressure.CATEGORIES[c2]}; recheck of {s1}/{d1} mmHg "
            f"({pressure.CATEGORIES[c1]}) at {minutes:g} min: "
            + ("still 180/120 or more" if still else "now below 180/120"))
    details = np.array(texts, dtype=object)[np.ravel(inverse)]
    session.log.add_many(times[rows, cols] + pressure.RECHECK_AFTER_S, cols, "bp-recheck",
                         details)


#: The highest pressure a reading can hold, mmHg: far above any cuff's range, so only a value
#: that is not a reading (a damaged or crafted file) is refused.
_MAX_MMHG = 1000.0


def readings(ds: xr.Dataset) -> pd.DataFrame:
    """Every seated reading and recheck of a result, one row each.

    Columns: arm, subject, time [s], minutes (after the end of exercise, or after the start
    for someone who never walked), sbp, dbp [mmHg], category (ACC/AHA 2017), valid (for
    diagnosis), recheck (the row is the 5-minute recheck of a reading of 180/120 or more).
    A reading outside 0-1000 mmHg is not a reading: InputError, one line.
    """
    import pandas as pd

    columns = ["arm", "subject", "time_s", "minutes", "sbp", "dbp", "category", "valid",
               "recheck"]
    if "bp_reading_time" not in ds or ds.sizes.get("reading", 0) == 0:
        return pd.DataFrame(columns=columns)
    shape = ds.bp_reading_time.shape
    arm = np.broadcast_to(ds.arm.values[:, None, None], shape)
    subject = np.broadcast_to(ds.subject.values[None, :, None], shape)
    t = ds.bp_reading_time.values
    origin = np.where(np.isnan(ds.exercise_end.values), 0.0, ds.exercise_end.values)[..., None]
    frames = []
    for again in (False, True):
        sbp = (ds.bp_recheck_sbp if again else ds.bp_reading_sbp).values
        dbp = (ds.bp_recheck_dbp if again else ds.bp_reading_dbp).values
        when = t + pressure.RECHECK_AFTER_S * again
        keep = np.isfinite(sbp) & np.isfinite(dbp)     # a reading has both pressures
        for name, values in (("sbp", sbp), ("dbp", dbp)):
            if ((values[keep] < 0) | (values[keep] > _MAX_MMHG)).any():
                raise InputError(f"bp_{'recheck' if again else 'reading'}_{name}",
                                 "holds values that are not cuff readings",
                                 f"0-{_MAX_MMHG:g} mmHg")
        code = pressure.acc_aha_category(sbp, dbp)
        frames.append(pd.DataFrame({
            "arm": arm[keep].astype(str), "subject": subject[keep], "time_s": when[keep],
            "minutes": np.round((when - origin) / 60.0, 6)[keep], "sbp": sbp[keep].astype(int),
            "dbp": dbp[keep].astype(int),
            "category": np.asarray(pressure.CATEGORIES)[code[keep]],
            "valid": (ds.bp_reading_valid.values | (when - origin >= pressure.VALID_AFTER_S)
                      )[keep] if again else ds.bp_reading_valid.values[keep],
            "recheck": np.full(keep.sum(), again)}, columns=columns))
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["arm", "subject", "time_s"], kind="stable", ignore_index=True)


#: The sources of the blood-pressure model (the pressor response, post-exercise hypotension,
#: categories and stop criteria).
REFERENCES = (
    "Kenney & Seals (1993) Hypertension (post-exercise hypotension by resting pressure)",
    "Corso et al. (2017) Med Sci Sports Exerc (post-exercise hypotension by intensity)",
    "MacDonald et al. (2000) J Hum Hypertens 14:125 (time course of post-exercise hypotension)",
    "Pescatello et al. (2004) ACSM position stand (post-exercise hypotension in daily life)",
    "Carpio-Rivera et al. (2016) Arq Bras Cardiol 106:422 (who has more post-exercise "
    "hypotension)",
    "ACC/AHA (2017) blood pressure guideline (categories, stop criteria, measuring)",
)
#: The variables the blood-pressure model adds.
VARIABLES = BP
#: The blood-pressure model: alarms and stops during exercise, traces, nadir and readings after.
def _references(scenario: object) -> tuple[str, ...]:
    options = getattr(scenario, "bp", None) or BpOptions()
    cited = {reference_key(r) for r in REFERENCES}
    peh = tuple(r for r in peh_models.PEH_REGISTRY[options.peh].references
                if reference_key(r) not in cited)
    if options.model == "per-met":
        return REFERENCES + peh
    return (REFERENCES + peh + exercise_pressure.PRESSOR_MODELS[options.model].references
            + exercise_pressure.ASSUMPTIONS)


MODEL = EventModel("bp", during=exercise_alarms, after=after_exercise, variables=VARIABLES,
                   references=_references)
