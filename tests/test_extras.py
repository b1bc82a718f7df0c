"""The base install: retrosim runs, compares, reports and runs a programme without the
optional extras (Dask and Zarr: ``scale``; Shiny: ``app``; Jupyter: ``teach``), and a command
that needs one says how to install it in one line."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

#: Modules of the extras, made unimportable in the child (``sys.modules[name] = None``).
EXTRAS = ("dask", "distributed", "zarr", "shiny", "uvicorn", "jupyterlab", "notebook",
          "ipykernel", "jupyter_server")


def base_cli(*argv: str, cwd=None) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(f"""\
        import sys
        for name in {EXTRAS!r}:
            sys.modules[name] = None
        from retrosim.cli.main import main
        status = main({list(argv)!r})
        leaked = sorted(m for m in {EXTRAS!r} if sys.modules.get(m) is not None)
        assert not leaked, leaked
        sys.exit(status)
        """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.mark.lowest
@pytest.mark.parametrize("argv", [("run", "compendium-2011"),
                                  ("compare", "compendium-2011", "forward-vs-backward"),
                                  ("run", "detraining")])
def test_the_base_install_runs_and_compares_without_the_extras(argv):
    done = base_cli(*argv)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.strip()


@pytest.mark.lowest
def test_the_base_install_writes_a_result_and_a_report_without_the_extras(tmp_path):
    nc, html = tmp_path / "c.nc", tmp_path / "c.html"
    done = base_cli("run", "compendium-2011", "-o", str(nc))
    assert done.returncode == 0 and nc.stat().st_size > 0, done.stderr
    done = base_cli("report", str(nc), "-o", str(html))
    assert done.returncode == 0 and "<html" in html.read_text(encoding="utf-8"), done.stderr


@pytest.mark.parametrize("scheduler", [[], ["--scheduler", "in-process"]])
def test_a_sweep_without_the_scale_extra_says_how_to_install_it_in_one_line(tmp_path,
                                                                            scheduler):
    done = base_cli("sweep", "compendium-2011", "-o", str(tmp_path / "s.zarr"), *scheduler)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("retrosim: error: sweeps need ")
    assert "zarr" in done.stderr and ("dask" in done.stderr) == (not scheduler)
    assert "pip install 'retrosim[scale]'" in done.stderr
    assert not (tmp_path / "s.zarr").exists()


def test_a_report_of_a_sweep_store_without_zarr_says_how_to_install_it(tmp_path):
    store = tmp_path / "s.zarr"
    store.mkdir()
    done = base_cli("report", str(store), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "pip install 'retrosim[scale]'" in done.stderr
