"""The what-if page feels live: a four-arm scenario for 1,000 people, from Run to the page.

Run ``python bench/bench_app.py`` (``--people N``, ``--repeat R``). The scenario is the one a
therapist builds on the page: a 72-year-old with a Berg score of 44 after a forward warm-up,
walking 15 min backward at 2 mph with no rail, a light touch, a grip, or slower, then resting
30 min (readings at 30 min). It times, best of ``R``, the page's run path
(:func:`retrosim.app.outcome.run`: ``Scenario.from_dict`` and ``retrosim.run`` with traces for
the bands, then the bands and the comparison table) and, apart, drawing and encoding each of
the six figures (speed, VO2, HR and BP with bands, falls, readings) as the server does. The
page shows one figure at a time (tabs; Shiny draws only the one on show), so an update is the
run path and one figure.

Then the six-arm blood-pressure tab: the bundled ``knee-rehab-six-protocols`` (six arms, a
cohort of ``--people``), run once; timed, best of ``R``, is what the server does when the
tab on show updates: the BP figure built (:func:`retrosim.app.outcome.figure`) and rendered
as Shiny's ``render.plot`` renders it (its tight layout and PNG, at the page's size; without
Shiny installed, :func:`retrosim.app.outcome.png`). Wall and CPU seconds are both printed:
on a shared machine the CPU seconds of this process are the steadier figure.

The targets (an update under 2 s, with the slowest figure; the six-arm BP tab under 1 s; on
two cores) are reported, not enforced: timings depend on the machine and what else runs on
it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrosim.app import form as F  # noqa: E402
from retrosim.app import outcome  # noqa: E402

TARGET_S = 2.0
BP_TAB_TARGET_S = 1.0
SIX_ARMS = "knee-rehab-six-protocols"


def scenario() -> dict:
    """Four arms for the Berg-44 patient, as the page would build them."""
    person = {"mass_kg": 80, "age_yr": 72, "sex": "male", "balance": "berg", "berg": 44,
              "sbp": 142, "dbp": 86, "fitness": "inactive", "handrail": "none",
              "hr_rest_bpm": 70}

    def arm(name: str, handrail: str, speed: float) -> F.ArmRows:
        return F.ArmRows(name, [F.StageRow(speed=1.5, minutes=3.0),
                                F.StageRow(direction="backward", speed=speed, minutes=15.0),
                                F.StageRow(action="rest", speed=None, minutes=30.0)], handrail)

    arms = [arm("no-rail", "none", 2.0), arm("light-touch", "light", 2.0),
            arm("grip", "grip", 2.0), arm("slower", "none", 1.5)]
    return F.scenario_dict(F.Form("bench-app", 44, person, arms))


def best(repeat: int, work) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bp-tab-only", action="store_true",
                    help="time only the six-arm blood-pressure tab")
    args = ap.parse_args()
    if args.bp_tab_only:
        six_arm_bp_tab(args.people, args.repeat)
        return 0
    data = scenario()
    outcome.run(data, "bench-app.toml", 10)                  # imports and caches warmed

    run_s, done = best(args.repeat, lambda: _run(data, args.people))
    each = {key: best(args.repeat, lambda key=key: _draw(done, key))[0]
            for key in outcome.FIGURES}
    slowest = max(each, key=each.__getitem__)
    update = run_s + each[slowest]
    print(f"what-if page, 4 arms x {args.people:,} people "
          f"({done.ds.sizes['time']} trace points per arm), best of {args.repeat}:")
    print(f"  run path (from_dict, retrosim.run, bands, table)  {run_s:6.2f} s")
    for key, seconds in each.items():
        print(f"  figure {key:<10} drawn and encoded as PNG        {seconds:6.2f} s")
    print(f"  an update: run path + the slowest figure on show  {update:6.2f} s   target < "
          f"{TARGET_S:g} s: {'met' if update < TARGET_S else 'NOT met'}")
    every = run_s + sum(each.values())
    print(f"  (run path + all six figures                      {every:6.2f} s)")
    six_arm_bp_tab(args.people, args.repeat)
    return 0


def six_arm_bp_tab(people: int, repeat: int) -> None:
    """The six-arm blood-pressure tab: the figure built and rendered as the page does."""
    import tomllib

    from retrosim.model.scenario import bundled
    data = tomllib.loads(bundled()[SIX_ARMS].read_text(encoding="utf-8"))
    done = outcome.run(data, f"{SIX_ARMS}.toml", people)
    render = _renderer()
    _tab(done, render)                                       # warmed
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        _tab(done, render)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    how = "Shiny's render.plot" if render is not None else "outcome.png (no Shiny)"
    print(f"six-arm BP tab, {SIX_ARMS} x {people:,} people "
          f"({done.bands['sbp'].values.shape[-1]} points per arm), built and rendered by "
          f"{how}, best of {repeat}:")
    print(f"  wall {min(wall):6.2f} s   CPU {min(cpu):6.2f} s   target < {BP_TAB_TARGET_S:g} s: "
          f"{'met' if min(cpu) < BP_TAB_TARGET_S else 'NOT met'} (CPU)")


def _renderer():
    """Shiny's own matplotlib renderer at the page's plot size (1000 x 420 px), or None."""
    try:
        from shiny.render._try_render_plot import PlotSizeInfo, try_render_matplotlib
    except ImportError:
        return None
    size = PlotSizeInfo((lambda: 1000.0, lambda: 420.0), (None, None), 1.0)
    return lambda fig: try_render_matplotlib(fig, plot_size_info=size, allow_global=False,
                                             alt="bp by arm")


def _tab(done: outcome.Outcome, render) -> None:
    fig = outcome.figure(done, "bp")
    assert fig is not None
    if render is None:
        outcome.png(fig)
    else:
        ok, result = render(fig)
        assert ok and result is not None


def _run(data: dict, people: int) -> outcome.Outcome:
    done = outcome.run(data, "bench-app.toml", people)
    outcome.table_html(done.ds)
    outcome.warnings_list(done)
    return done


def _draw(done: outcome.Outcome, key: str) -> None:
    fig = outcome.figure(done, key)
    if fig is not None:
        outcome.png(fig)


if __name__ == "__main__":
    sys.exit(main())
