"""Bit-identical for real: a person's numbers do not depend on the batch or the chunking; a
resumed sweep is refused if anything that decides its numbers changed, to the last bit."""

import numpy as np
import pytest
import zarr

import retrosim
from retrosim.errors import InputError
from retrosim.model.scenario import bundled
from retrosim.scale import sweep
from retrosim.scale.cluster import Cluster

from .conftest import scenario_text


def assert_same(a, b, name):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f":
        assert np.array_equal(a, b, equal_nan=True), name
    else:
        assert np.array_equal(a, b), name


@pytest.mark.parametrize("name", sorted(bundled()))
def test_subject_0_alone_equals_subject_0_among_300(name):
    sc = retrosim.load_scenario(name)
    alone = retrosim.run(sc, subjects=1)
    many = retrosim.run(sc, subjects=300)
    checked = 0
    for var in alone.data_vars:
        if "subject" not in alone[var].dims:
            continue
        a = alone[var].isel(subject=0)
        b = many[var].isel(subject=0)
        if "time" in a.dims:
            b = b.sel(time=a.time)
        if "reading" in a.dims:
            b = b.isel(reading=slice(0, a.sizes["reading"]))
        assert_same(a.values, b.values, var)
        checked += 1
    assert checked >= 10


def store_arrays(path):
    g = zarr.open_group(str(path), mode="r")
    return {name: np.asarray(g[name][...]) for name in g.array_keys()}


def test_sweep_chunk_sizes_1_7_and_300_give_identical_stores(tmp_path):
    sc = retrosim.load_scenario("knee-rehab-first-session")
    stores = {}
    for chunk in (1, 7, 300):
        out = tmp_path / f"c{chunk}.zarr"
        sweep.run_sweep(sc, out, subjects=300,
                        cluster=Cluster(chunk_size=chunk, scheduler="in-process"), sample=3,
                        band_step_s=60)
        stores[chunk] = store_arrays(out)
    skip = {"chunk_done"} | {n for n in stores[1] if n.startswith("count_")}
    for chunk in (7, 300):
        assert set(stores[chunk]) == set(stores[1])
        for name, values in stores[1].items():
            if name not in skip:
                assert_same(values, stores[chunk][name], f"{name} (chunk {chunk})")


def small_sweep(sc, out, **kw):
    return sweep.run_sweep(sc, out, subjects=4,
                           cluster=Cluster(chunk_size=2, scheduler="in-process"), sample=0,
                           band_step_s=0, **kw)


def test_resume_refuses_a_change_below_three_significant_digits(tmp_path, write):
    out = tmp_path / "s.zarr"
    first = retrosim.load_scenario(write(scenario_text(stages='["walk at 2.0499 mph for 1 min"]')))
    small_sweep(first, out)
    changed = retrosim.load_scenario(write(scenario_text(
        stages='["walk at 2.0501 mph for 1 min"]'), "b.toml"))
    with pytest.raises(InputError) as info:
        small_sweep(changed, out, resume=True)
    assert "holds another sweep" in str(info.value) and "\n" not in str(info.value)
    small_sweep(first, out, resume=True)            # the same sweep still resumes


def test_resume_refuses_a_changed_controller_source(tmp_path, write, monkeypatch):
    folder = tmp_path / "mods"
    folder.mkdir()
    source = folder / "myctl.py"
    source.write_text("from retrosim.controllers.examples import ProportionalHr\n\n\n"
                      "class Program(ProportionalHr):\n    pass\n")
    monkeypatch.syspath_prepend(str(folder))
    text = scenario_text('[controller]\npath = "myctl:Program"\n')
    sc = retrosim.load_scenario(write(text), allow_import=("myctl",))
    out = tmp_path / "s.zarr"
    small_sweep(sc, out)
    source.write_text(source.read_text() + "# gain tuned\n")
    with pytest.raises(InputError, match="holds another sweep"):
        small_sweep(sc, out, resume=True)
