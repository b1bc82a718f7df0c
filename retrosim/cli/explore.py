"""``retrosim check CONTROLLER --explore``: search walkers, protocols and faults for a
violation, shrink it and write a reproducer (:mod:`retrosim.testing.explore`).

Exit status as ``check``: 0 when the budget ends without a violation (what was covered is
printed), 1 on a violation (one line naming the invariant, the time and the minimal inputs;
the reproducer scenario and a pytest file are written into ``-o DIR``), 2 on bad input or a
controller that breaks its contract on a generated case, 3 when it crashed on one.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from retrosim.errors import InputError

DEFAULT_DIR = "retrosim-explore"


def add_options(p: argparse.ArgumentParser) -> None:
    """The ``--explore`` options of ``retrosim check``."""
    g = p.add_argument_group("exploring (--explore)")
    g.add_argument("--explore", action="store_true",
                   help="search walkers, protocols and fault schedules for a violation, shrink "
                        "it and write a reproducer scenario and test into -o DIR")
    g.add_argument("--budget", type=float, default=60.0, metavar="SECONDS",
                   help="search time (60); shrinking a violation takes at most as long again")
    g.add_argument("-o", "--output", metavar="DIR", default=None,
                   help=f"folder for the reproducer (default ./{DEFAULT_DIR}, created on a "
                        "violation)")
    g.add_argument("--fault-kind", action="append", metavar="KIND",
                   help="search only these fault kinds (repeatable; default: every kind with "
                        "--supervised, else all but the bus faults runaway and command-delay)")


def command_line(args: argparse.Namespace) -> str:
    """The command that explored, as a user would type it again."""
    words = ["retrosim", "check", args.controller, "--explore", "--seed", str(args.seed or 0),
             "--budget", f"{args.budget:g}"]
    if args.scenario:
        words += ["--scenario", args.scenario]
    words += [w for item in args.param for w in ("--param", item)]
    words += ["--supervised"] if args.supervised else []
    words += [w for name in args.invariant or [] for w in ("--invariant", name)]
    words += [w for kind in args.fault_kind or [] for w in ("--fault-kind", kind)]
    words += [w for prefix in args.allow_import for w in ("--allow-import", prefix)]
    return shlex.join(words)


def main(args: argparse.Namespace, params: dict[str, Any]) -> str:
    """Explore; print the finding or the coverage; the outcome, a key of ``check.EXIT``."""
    from retrosim.controllers.contract import ControllerCrash
    from retrosim.controllers.spec import ControllerSpec
    from retrosim.testing.explore import base_data, controller_table, default_kinds, explore
    from retrosim.testing.reproducer import write_reproducer

    for key in ("fault", "subjects", "step"):
        if getattr(args, key):
            raise InputError(f"--{key}", "does not apply to --explore (each case is one walker "
                             "with its own faults, checked every second)",
                             "--budget, --seed, --fault-kind, --invariant, -o")
    if not 0 < args.budget <= 24 * 3600:
        raise InputError("--budget", f"{args.budget:g} s is out of range", "0-86400 s")
    seed = 0 if args.seed is None else args.seed
    if not 0 <= seed < 2**32:
        raise InputError("--seed", f"{seed} is out of range", "0 to 2**32 - 1")
    allow = tuple(args.allow_import)
    table = controller_table(args.controller, params, args.supervised)
    spec = ControllerSpec.from_table(table, "CONTROLLER", allow)     # refused before import
    base = base_data(args.scenario, allow) if args.scenario else {}
    kinds = args.fault_kind or default_kinds(args.supervised)
    print(f"exploring {spec.label}: seed {seed}, budget {args.budget:g} s, fault kinds "
          f"{', '.join(kinds)}; invariants {', '.join(args.invariant or ['all'])}", flush=True)
    result = explore(spec, base=base, budget_s=args.budget, seed_=seed, invariants=args.invariant,
                     kinds=kinds)
    if isinstance(result.error, ControllerCrash):
        print(f"retrosim: error: the controller crashed: {result.error}", file=sys.stderr)
        print(f"retrosim: on the case: {result.case}", file=sys.stderr)
        return "crash"
    if result.error is not None:
        print(f"retrosim: on the case: {result.case}", file=sys.stderr)
        raise result.error
    print(result.line())
    if result.ok:
        return "ok"
    toml, test = write_reproducer(args.output or DEFAULT_DIR, result, table, base,
                                  command_line(args), args.invariant)
    print(f"found in {result.found_s:.1f} s, shrunk in {result.shrink_s:.1f} s "
          f"({result.shrinks} runs); wrote {toml} and {test}")
    return "violation"
