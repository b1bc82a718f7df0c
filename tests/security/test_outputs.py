"""Output files: probed before the run, written whole or not at all, modes from the umask,
stale temporary files cleaned, a new sweep store created exclusively."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

import retrosim
from retrosim.errors import InputError
from retrosim.results import io
from retrosim.scale.cluster import Cluster

from .conftest import assert_refused, scenario_text


def test_an_unwritable_output_folder_is_found_before_the_run(cli, write):
    scenario = write(scenario_text())
    for command, name in (("run", "out.nc"), ("report", "out.html"), ("sweep", "out.zarr")):
        argv = [command, scenario, "-o", f"/proc/{name}"]
        status, out, err = cli(*argv)
        assert_refused(status, err, "cannot write in folder '/proc'")
        assert out == ""                         # nothing ran


#: Child code: Python's own Ctrl-C handler, as a terminal gives it (a job started in the
#: background of a shell without job control inherits SIGINT ignored, and the interrupt would
#: be lost).
DEFAULT_CTRL_C = textwrap.dedent("""\
    import signal
    signal.signal(signal.SIGINT, signal.default_int_handler)
""")

#: Child code: the writer's signal handler also notes the signal, so that a write can wait
#: until the signal sent to it has arrived (no sleep whose length decides the outcome).
HELD = DEFAULT_CTRL_C + textwrap.dedent("""\
    import time
    from retrosim.results import io

    held = []
    _hold = io._Deferred._hold

    def hold(self, signum, frame):
        _hold(self, signum, frame)
        held.append(signum)

    io._Deferred._hold = hold

    def until_held():
        deadline = time.monotonic() + 60.0   # only a broken writer waits this long
        while not held and time.monotonic() < deadline:
            time.sleep(0.001)
""")

CHILD = HELD + textwrap.dedent("""\
    import sys
    import xarray as xr

    real = xr.Dataset.to_netcdf

    def written_then_signalled(self, path, *args, **kwargs):
        real(self, path, *args, **kwargs)
        print("writing", flush=True)
        until_held()

    xr.Dataset.to_netcdf = written_then_signalled
    io.save(xr.Dataset({"x": ("t", [1.0, 2.0])}), sys.argv[1])
""")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_write_leaves_the_old_file_and_no_debris(tmp_path, sig):
    out = tmp_path / "out.nc"
    out.write_bytes(b"the old result")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(out)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(sig)
    child.wait(timeout=60)
    assert child.returncode != 0
    assert out.read_bytes() == b"the old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc"]


def test_ctrl_c_of_the_command_line_is_one_line(tmp_path, write):
    out = tmp_path / "out.nc"
    code = HELD + textwrap.dedent(f"""\
        import sys
        import xarray as xr
        from retrosim.cli.main import main
        xr.Dataset.to_netcdf = lambda self, *a, **k: (print("writing", flush=True),
                                                      until_held())
        sys.exit(main(["run", {write(scenario_text())!r}, "-o", {str(out)!r}]))
        """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    while "writing" not in child.stdout.readline():
        pass
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130
    assert err.strip().splitlines() == ["retrosim: interrupted; no file was changed"]
    assert list(tmp_path.glob("*.part")) == [] and not out.exists()


def test_stale_part_files_of_dead_processes_are_cleaned(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "out.nc"
    stale = tmp_path / f".out.nc.{dead.pid}.abc123.part"
    live = tmp_path / f".out.nc.{os.getppid()}.def456.part"
    other = tmp_path / f".other.nc.{dead.pid}.abc123.part"
    for p in (stale, live, other):
        p.write_bytes(b"debris")
    io.save(retrosim.run(retrosim.load_scenario("compendium-2011"), traces=False), out)
    assert not stale.exists() and live.exists() and other.exists() and out.exists()


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_output_modes_follow_the_umask(tmp_path, umask_027):
    from retrosim.report import document

    nc = io.save(retrosim.run(retrosim.load_scenario("compendium-2011"), traces=False),
                 tmp_path / "out.nc")
    html = document.write_html("<p>x</p>", tmp_path / "out.html")
    assert oct(nc.stat().st_mode & 0o777) == oct(0o640)
    assert oct(html.stat().st_mode & 0o777) == oct(0o640)


def test_a_replaced_file_keeps_its_mode(tmp_path):
    out = tmp_path / "out.html"
    out.write_text("old")
    out.chmod(0o600)
    from retrosim.report import document

    document.write_html("<p>new</p>", out)
    assert out.read_text() == "<p>new</p>" and out.stat().st_mode & 0o777 == 0o600


def test_two_sweeps_into_the_same_new_store_the_second_is_refused(tmp_path):
    from retrosim.scale import sweep

    sc = retrosim.load_scenario("compendium-2011")
    out = tmp_path / "s.zarr"
    seen = []

    def second(chunk, client):
        if not seen:
            with pytest.raises(InputError) as info:
                sweep.run_sweep(sc, out, subjects=4,
                                cluster=Cluster(chunk_size=2, scheduler="in-process"))
            seen.append(str(info.value))

    sweep.run_sweep(sc, out, subjects=4, cluster=Cluster(chunk_size=2, scheduler="in-process"),
                    on_chunk=second)
    assert seen and "already exists" in seen[0] and "\n" not in seen[0]


def test_a_store_is_created_exclusively(tmp_path):
    """Two sweeps that both found the path free: the second to lay out its store is refused
    (before, it overwrote the first one's arrays)."""
    import numpy as np

    from retrosim.scale import store

    layout = store.Layout(path=str(tmp_path / "s.zarr"), subjects=2, chunk_size=1,
                          arms=("a",), summaries=(("energy_total", "<f8"),), traces=(),
                          sample=0, time=np.zeros(1), band_time=np.empty(0))
    store.create(layout, {}, {}, np.zeros(1))
    with pytest.raises(InputError, match="already exists"):
        store.create(layout, {}, {}, np.zeros(1))


def test_the_local_cluster_has_no_dashboard_and_listens_on_loopback():
    import urllib.error
    import urllib.request

    import psutil

    from retrosim.scale import cluster

    with cluster.connect(cluster.Cluster(workers=1)) as client:
        info = client.scheduler_info()
        assert info["address"].startswith("tcp://127.0.0.1:")
        assert all(w.startswith("tcp://127.0.0.1:") for w in info["workers"])
        me = psutil.Process()
        pids = {me.pid} | {p.pid for p in me.children(recursive=True)}
        listening = [c.laddr for c in psutil.net_connections("tcp")
                     if c.status == psutil.CONN_LISTEN and c.pid in pids]
        assert listening and all(addr.ip == "127.0.0.1" for addr in listening), listening
        port = info["services"]["dashboard"]
        assert port != 8787                          # not the well-known dashboard port
        with pytest.raises(urllib.error.HTTPError) as page:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=10)
        assert page.value.code == 404                # no dashboard pages


REAL_WRITE = DEFAULT_CTRL_C + textwrap.dedent("""\
    import signal, sys
    import numpy as np
    import xarray as xr
    from xarray.backends import netCDF4_
    from retrosim.results import io

    real = netCDF4_.NetCDF4ArrayWrapper.get_array
    inside = []

    def get_array(self, needs_lock=True):
        if not needs_lock:                  # called by a write that holds the library's lock
            inside.append(self.variable_name)
            if len(inside) == 3:            # Ctrl-C as the third variable is written
                signal.raise_signal(signal.SIGINT)
        return real(self, needs_lock)

    netCDF4_.NetCDF4ArrayWrapper.get_array = get_array
    ds = xr.Dataset({f"v{i}": (("a", "b"), np.ones((20, 20))) for i in range(6)})
    io.save(ds, sys.argv[1])
""")


def test_ctrl_c_inside_the_netcdf_library_ends_the_write_without_hanging(tmp_path):
    """An exception in the middle of the library's write used to leave its file lock taken:
    closing the file then waited for ever, and Ctrl-C looked ignored."""
    out = tmp_path / "out.nc"
    out.write_bytes(b"the old result")
    child = subprocess.run([sys.executable, "-c", REAL_WRITE, str(out)], capture_output=True,
                           text=True, timeout=120)
    assert child.returncode != 0 and "KeyboardInterrupt" in child.stderr
    assert out.read_bytes() == b"the old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc"]
