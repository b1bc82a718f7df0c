"""Hashes of every variable of every bundled scenario: is a change bit-identical?

Run ``python bench/fingerprint.py --out before.json`` on one commit and
``python bench/fingerprint.py --compare before.json`` on another (same machine and numpy: the
last bits of ``exp`` differ between builds). Each bundled scenario runs at 3 and 50 subjects
with traces, and the benchmark workloads (``workloads.py``: the six-stage cohort, whose
blood-pressure alarms fire, and the programme) at 2,000 and 300 people; every data variable and
coordinate is hashed (SHA-256 of its bytes, dtype and shape). Exit status 1 if any hash differs
from the file compared against.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads  # noqa: E402

import retrosim  # noqa: E402
from retrosim.model.scenario import Scenario, bundled  # noqa: E402

SIZES = (3, 50)


def digest(values: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes (object arrays by their repr)."""
    h = hashlib.sha256(f"{values.dtype}{values.shape}".encode())
    if values.dtype.kind == "O":
        h.update(repr(values.tolist()).encode())
    else:
        h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()[:16]


def fingerprint(scenario: Scenario, subjects: int, traces: bool = True) -> dict[str, str]:
    ds = retrosim.run(scenario, subjects=subjects, traces=traces)
    return {name: digest(ds[name].values) for name in sorted(ds.variables)}


def runs() -> dict[str, dict[str, str]]:
    out = {}
    for name in sorted(bundled()):
        for n in SIZES:
            out[f"{name}@{n}"] = fingerprint(retrosim.load_scenario(name), n)
    out["six-stage@2000"] = fingerprint(Scenario.from_dict(workloads.SIX_STAGE), 2000, False)
    out["programme@300"] = fingerprint(Scenario.from_dict(workloads.PROGRAMME), 300, False)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the hashes to this JSON file")
    group.add_argument("--compare", type=Path, help="compare with the hashes in this file")
    args = parser.parse_args(argv)
    current = runs()
    if args.out:
        args.out.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
        print(f"{sum(map(len, current.values()))} variables of {len(current)} runs hashed "
              f"to {args.out}")
        return 0
    reference = json.loads(args.compare.read_text())
    differ = [f"{run}: {var}" for run in sorted(set(reference) | set(current))
              for var in sorted(set(reference.get(run, {})) | set(current.get(run, {})))
              if reference.get(run, {}).get(var) != current.get(run, {}).get(var)]
    for line in differ:
        print("differs:", line)
    total = sum(map(len, current.values()))
    print(f"{total - len(differ)} of {total} variables of {len(current)} runs bit-identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
