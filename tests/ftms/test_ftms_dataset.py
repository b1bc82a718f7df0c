"""The FTMS treadmill's result is a run's result: the same variables, the same assembly."""

import retrosim
from retrosim.ftms import FtmsTreadmill
from retrosim.ftms.treadmill import DEFAULT_WALKER
from retrosim.model.scenario import Scenario


def test_the_ftms_dataset_has_every_variable_of_retrosim_run():
    sc = Scenario.from_dict(DEFAULT_WALKER)
    tm = FtmsTreadmill(sc)
    tm.write_control_point(b"\x00")                 # request control
    tm.write_control_point(b"\x07")                 # start
    tm.advance(600.0)
    ds = tm.dataset()
    reference = retrosim.run(sc)
    # what retrosim.run adds after the run, re-running the protocol: the person's prediction
    # intervals, which a walk a client drove has no protocol for
    rerun = {v for v in reference.variables if "interval" in reference[v].attrs}
    assert set(ds.variables) == set(reference.variables) - rerun
    assert set(ds.attrs) == set(reference.attrs) - {"uncertainty"}
    for name in ("sbp", "fell", "stop_reason", "bp_category_pre", "fall_probability"):
        for key in ("units", "long_name"):
            assert ds[name].attrs[key] == reference[name].attrs[key]
