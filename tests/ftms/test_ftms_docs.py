"""The FTMS data page (docs/ftms.md) says what the virtual treadmill sends; its worked example
runs here as a doctest and its byte table is checked against the codec's decoding."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from retrosim.ftms import codec

PAGE = Path(__file__).resolve().parents[2] / "docs" / "ftms.md"


def _example() -> str:
    block = re.search(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    assert block is not None, "docs/ftms.md lost its worked example"
    return block.group(1)


def test_the_worked_example_runs_as_written():
    test = doctest.DocTestParser().get_doctest(_example(), {}, "docs/ftms.md", str(PAGE), 0)
    assert test.examples, "the worked example has no doctest lines"
    result = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test)
    assert result.failed == 0


def test_the_byte_table_is_the_codec_decoding():
    text = PAGE.read_text()
    sent = bytes.fromhex(re.findall(r"^'([0-9a-f ]+)'$", _example(), re.M)[-1])
    data = codec.TreadmillData.decode(sent)
    rows = dict(re.findall(r"^\| `[0-9a-f ]+` \| ([a-z ]+) \| \d+ \| ([0-9.]+) ", text, re.M))
    assert float(rows["instantaneous speed"]) == data.speed_kmh == 4.0
    assert float(rows["average speed"]) == data.average_speed_kmh
    assert float(rows["total distance"]) == data.total_distance_m
    assert float(rows["total energy"]) == data.energy_kcal
    assert float(rows["energy per hour"]) == data.energy_per_hour_kcal
    assert float(rows["heart rate"]) == data.heart_rate_bpm
    assert float(rows["metabolic equivalent"]) == data.met
    assert float(rows["elapsed time"]) == data.elapsed_time_s
    flags = int.from_bytes(sent[:2], "little")
    assert f"0x{flags:04X}" in text
    assert [b for b in range(16) if flags >> b & 1] == [1, 2, 3, 7, 8, 9, 10]
