"""Per-subject stops proposed by event models, spliced into the run."""

import numpy as np

import retrosim
from retrosim.engine import simulate as engine
from retrosim.engine.session import EventLog


def test_event_log_orders_by_time_and_drops_what_follows_a_stop():
    log = EventLog()
    log.add(0.0, "stage", "walk")
    log.add_many(np.array([50.0, 20.0, 80.0]), np.array([0, 1, 1]), "stumble", "trip")
    log.drop_after(np.array([np.inf, 30.0]))
    times, subjects, kinds, _ = log.columns()
    assert times.tolist() == [0.0, 20.0, 50.0]
    assert subjects.tolist() == [-1, 1, 0] and kinds.tolist() == ["stage", "stumble", "stumble"]


def test_a_proposed_stop_ends_that_subjects_walk(monkeypatch):
    """An event model stopping subject 1 at 90 s: the belt stops, the rest is untouched."""

    def stop_subject_one(session):
        session.propose_stop(np.array([1]), np.array([120.0]), "test")
        session.propose_stop(np.array([1]), np.array([90.0]), "earlier")
        session.log.add_many(np.array([90.0, 150.0]), np.array([1, 1]), "test", "x")

    monkeypatch.setattr(engine, "DURING", [stop_subject_one])
    sc = retrosim.load_scenario("forward-vs-backward")
    ds = retrosim.run(sc, subjects=2)
    a = ds.sel(arm="forward")
    assert float(a.speed.sel(subject=1, time=100.0)) == 0.0
    assert float(a.speed.sel(subject=0, time=100.0)) > 1.0
    assert float(a.energy_total.sel(subject=1)) < float(a.energy_total.sel(subject=0))
    kept = ds.event_time.where((ds.event_kind == "test") & (ds.event_arm == "forward"),
                               drop=True)
    assert kept.values.tolist() == [90.0]
