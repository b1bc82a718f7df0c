"""Fuzzed hostile inputs: crafted NetCDF results, names with control characters, FTMS bytes.
Every command answers with its output or a one-line refusal, never a traceback."""

import netCDF4
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retrosim
from retrosim.errors import InputError
from retrosim.ftms import codec
from retrosim.ftms.treadmill import FtmsTreadmill
from retrosim.results import io

from .conftest import assert_refused, scenario_text

CONTROL = st.sampled_from(["\x1b]0;pwned\x07", "\x1b[2J", "\x07", "\x00", "\x9b", "\u202e",
                           "\x08", "\r"])


@pytest.fixture(scope="module")
def good_result(tmp_path_factory):
    ds = retrosim.run(retrosim.load_scenario("compendium-2011"), subjects=2)
    return io.save(ds, tmp_path_factory.mktemp("good") / "good.nc")


MUTATIONS = ("drop-attr", "drop-var", "retype", "transpose", "rename-dim", "text")


def mutate(src, dst, how: str, pick: int) -> None:
    """Copy ``src`` to ``dst`` with one thing changed."""
    with netCDF4.Dataset(src) as a, netCDF4.Dataset(dst, "w") as b:
        names = list(a.variables)
        target = names[pick % len(names)]
        attrs = {k: a.getncattr(k) for k in a.ncattrs()}
        if how == "drop-attr":
            attrs.pop(sorted(attrs)[pick % len(attrs)])
        b.setncatts(attrs)
        for name, dim in a.dimensions.items():
            b.createDimension("renamed" if how == "rename-dim" and name == "subject" else name,
                              len(dim))
        for name, var in a.variables.items():
            if how == "drop-var" and name == target:
                continue
            dims = tuple("renamed" if how == "rename-dim" and d == "subject" else d
                         for d in var.dimensions)
            values = var[...]
            if how == "transpose" and name == target and len(dims) > 1:
                dims, values = dims[::-1], np.asarray(values).T
            if how in ("retype", "text") and name == target:
                if how == "text":
                    out = b.createVariable(name, str, dims)
                    flat = np.array(["x"] * int(np.prod(out.shape)), dtype=object)
                    out[...] = flat.reshape(out.shape) if out.shape else flat[0]
                    continue
                out = b.createVariable(name, "i1", dims)
                out[...] = np.zeros(out.shape, dtype="i1")
                continue
            out = b.createVariable(name, var.datatype, dims)
            out.setncatts({k: var.getncattr(k) for k in var.ncattrs()
                           if k != "_FillValue"})
            out[...] = values


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(MUTATIONS), pick=st.integers(0, 200))
def test_report_on_a_crafted_result_is_a_report_or_one_line(cli, tmp_path, good_result, how,
                                                            pick):
    path = tmp_path / "crafted.nc"
    mutate(good_result, path, how, pick)
    status, _, err = cli("report", str(path), "-o", str(tmp_path / "r.html"))
    if status != 0:
        assert_refused(status, err, str(path))


def test_a_good_result_still_makes_a_report(cli, tmp_path, good_result):
    status, out, err = cli("report", str(good_result), "-o", str(tmp_path / "r.html"))
    assert status == 0, err


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(["name", "description", "arm-description"]), bad=CONTROL,
       text=st.text("abc ", max_size=8))
def test_control_characters_in_names_are_refused_at_load(where, bad, text):
    data = {"name": "x", "subject": {"mass_kg": 70, "age_yr": 40, "sex": "male"},
            "arms": {"a": {"stages": ["walk at 3 km/h for 1 min"]}}}
    value = f"ok{text}{bad}{text}"
    if where == "arm-description":
        data["arms"]["a"]["description"] = value
    else:
        data[where] = value
    with pytest.raises(InputError) as info:
        retrosim.Scenario.from_dict(data, source="x.toml")
    message = str(info.value)
    assert ("control character" in message or "spans several lines" in message) and \
        "\n" not in message
    assert not any(c in message for c in "\x1b\x07\x00\x9b\u202e\x08\r")


def test_a_description_may_span_lines(write):
    sc = retrosim.load_scenario(write(scenario_text().replace(
        'name = "hostile"', 'name = "hostile"\ndescription = """one\n\ttwo"""', 1)))
    assert sc.description == "one\n\ttwo"


def test_the_command_line_never_prints_an_escape_sequence(cli, write):
    text = scenario_text().replace('name = "hostile"', 'name = "x\\u001b]0;pwned\\u0007"', 1)
    status, out, err = cli("run", write(text))
    assert_refused(status, err, "control character")
    assert "\x1b" not in out + err


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), -1.0, "5", None, True])
def test_ftms_advance_refuses_what_is_not_a_finite_time(seconds):
    tm = FtmsTreadmill()
    with pytest.raises(ValueError) as info:
        tm.advance(seconds)
    assert "\n" not in str(info.value)
    assert tm.now_s == 0.0
    tm.read_treadmill_data()


def test_ftms_answers_an_empty_control_point_write():
    tm = FtmsTreadmill()
    answer = tm.write_control_point(b"")
    assert codec.decode_response(answer) == (0x00, codec.INVALID_PARAMETER)
    assert not tm.in_control and tm.pop_machine_status() == []


@settings(max_examples=200, deadline=None)
@given(writes=st.lists(st.binary(max_size=6), max_size=8))
def test_ftms_answers_every_control_point_write(writes):
    tm = FtmsTreadmill()
    for data in [b"\x00", *writes]:
        answer = tm.write_control_point(data)
        op, result = codec.decode_response(answer)
        assert op == (data[0] if data else 0x00) and result in codec.RESULTS
        tm.advance(1.0)
    tm.read_treadmill_data()
