"""Result files from elsewhere: a sweep store that declares billions of people, one without
summaries, one whose codec would unpickle, a result whose text is mathtext, and a disk that
fills up while a result is written. Each gets one line naming the file (exit status 2) or a
report; never a traceback, and nothing that runs code."""

import json
import shutil
from pathlib import Path

import netCDF4
import pytest
import xarray as xr

import retrosim
from retrosim.results import io
from retrosim.scale import header, sweep
from retrosim.scale.cluster import Cluster

from .conftest import assert_refused, cli_process


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "small.zarr"
    sweep.run_sweep(retrosim.load_scenario("compendium-2011"), path, subjects=4,
                    cluster=Cluster(scheduler="in-process"), sample=2)
    return path


def _copy(store: Path, tmp_path: Path, name: str = "crafted.zarr") -> Path:
    out = tmp_path / name
    shutil.copytree(store, out)
    return out


def _arrays(path: Path):
    for meta in sorted(path.glob("*/zarr.json")):
        yield meta, json.loads(meta.read_text())


def test_a_small_store_declaring_two_billion_people_is_refused(store, tmp_path):
    crafted = _copy(store, tmp_path)
    for meta, node in _arrays(crafted):
        names = node.get("dimension_names") or []
        if "subject" in names:
            node["shape"][names.index("subject")] = 2_000_000_000
            meta.write_text(json.dumps(node))
            shutil.rmtree(meta.parent / "c", ignore_errors=True)  # nothing written: fill values
    declared = sum(p.stat().st_size for p in crafted.rglob("*") if p.is_file()
                   and "/c/" not in str(p.relative_to(crafted.parent)))
    assert declared < 200_000
    status, out, err = cli_process("report", str(crafted), "-o", str(tmp_path / "r.html"))
    assert_refused(status, err, str(crafted), "declares", "GB of values", "GB free")
    assert not (tmp_path / "r.html").exists()


def test_a_store_without_summaries_is_one_line(store, tmp_path):
    crafted = _copy(store, tmp_path)
    for meta, node in _arrays(crafted):
        if (node.get("dimension_names") or []) in (["arm", "subject"], ["subject"]):
            shutil.rmtree(meta.parent)
    status, out, err = cli_process("report", str(crafted), "-o", str(tmp_path / "r.html"))
    assert_refused(status, err, str(crafted), "energy_total", "retrosim sweep")


def test_a_pickle_codec_in_a_store_never_runs(store, tmp_path):
    crafted = _copy(store, tmp_path)
    marker = tmp_path / "ran"
    meta = crafted / "energy_total" / "zarr.json"
    node = json.loads(meta.read_text())
    node["codecs"] = [{"name": "numcodecs.pickle", "configuration": {"protocol": 5}}]
    meta.write_text(json.dumps(node))
    payload = (b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    for chunk in (crafted / "energy_total" / "c").rglob("*"):
        if chunk.is_file():
            chunk.write_bytes(payload)
    status, out, err = cli_process("report", str(crafted), "-o", str(tmp_path / "r.html"))
    assert_refused(status, err, str(crafted), "'energy_total'", "'numcodecs.pickle'")
    assert not marker.exists()


def test_a_sharded_array_may_not_hide_a_codec(tmp_path):
    node = {"node_type": "array", "shape": [1], "data_type": "float64",
            "codecs": [{"name": "sharding_indexed", "configuration": {
                "codecs": [{"name": "bytes"}, {"name": "numcodecs.pickle"}],
                "index_codecs": [{"name": "bytes"}]}}]}
    (tmp_path / "s.zarr" / "x").mkdir(parents=True)
    (tmp_path / "s.zarr" / "zarr.json").write_text('{"node_type": "group"}')
    (tmp_path / "s.zarr" / "x" / "zarr.json").write_text(json.dumps(node))
    with pytest.raises(retrosim.InputError, match="sharding_indexed"):
        header.check_store(tmp_path / "s.zarr")


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> Path:
    ds = retrosim.run(retrosim.load_scenario("compendium-2011"), subjects=2, trace_step_s=30)
    return io.save(ds, tmp_path_factory.mktemp("nc") / "good.nc")


def test_mathtext_in_a_result_is_shown_as_text(result, tmp_path):
    crafted = tmp_path / "mathtext.nc"
    shutil.copy(result, crafted)
    nested = "$" + r"\sqrt{" * 3000 + "x" + "}" * 3000 + "$"
    with netCDF4.Dataset(crafted, "a") as nc:
        nc["vo2"].long_name = nested
        nc["energy_total"].units = "$" + "^{" * 3000 + "$"
        nc["arm"][0] = "$" + "_{" * 3000 + "$"
    status, out, err = cli_process("report", str(crafted), "-o", str(tmp_path / "r.html"))
    assert status == 0, err
    assert "Traceback" not in err
    assert (tmp_path / "r.html").stat().st_size > 10_000


@pytest.fixture
def full_disk(monkeypatch):
    """The disk fills while the result is written (room enough when the run starts): the
    NetCDF writer leaves a partial file and fails with the library's "HDF error", and the
    folder then has 4 kB free."""
    free = [2**30]

    def write(self, path, *args, **kwargs):
        Path(path).write_bytes(b"\x89HDF partial" * 1000)
        free[0] = 4096
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", write)
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda path: shutil._ntuple_diskusage(2**31, 2**31 - free[0], free[0]))


def test_a_full_disk_mid_write_is_one_line_naming_the_file_and_the_cause(cli, tmp_path,
                                                                          full_disk):
    out = tmp_path / "out.nc"
    out.write_bytes(b"the result of yesterday")
    status, stdout, err = cli("run", "compendium-2011", "-o", str(out))
    assert_refused(status, err, str(out), "no space left on the device", "4,096 bytes free",
                   "NetCDF: HDF error", "kept as it was")
    assert out.read_bytes() == b"the result of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc"]       # no partial file


def test_a_full_disk_on_a_new_file_leaves_nothing(cli, tmp_path, full_disk):
    out = tmp_path / "new.nc"
    status, _, err = cli("run", "compendium-2011", "-o", str(out))
    assert_refused(status, err, str(out), "no space left on the device", "nothing was written")
    assert list(tmp_path.iterdir()) == []
