"""``--help``: each subcommand shows its own examples, every example is a command line the
parser takes and names real scenarios; ``--print-completion`` prints a working script."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from retrosim.cli.check import EXAMPLES as CHECK_EXAMPLES
from retrosim.cli.design import EXAMPLES as DESIGN_EXAMPLES
from retrosim.cli.design import signed
from retrosim.cli.examples import EXAMPLES
from retrosim.cli.fit import EXAMPLES as FIT_EXAMPLES
from retrosim.cli.main import EPILOG, _parser, main
from retrosim.model.scenario import bundled

COMMANDS = sorted(EXAMPLES)
OWN = {"check": CHECK_EXAMPLES, "design": DESIGN_EXAMPLES, "fit": FIT_EXAMPLES}
ALL_EXAMPLES = {**EXAMPLES, **OWN, "": EPILOG}


def help_of(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def example_lines(text):
    """The command lines of an examples block, without their descriptions and redirections."""
    lines = []
    body = re.sub(r"\s*\\\n\s*", " ", text.split("examples:", 1)[1])   # a continued line
    for line in body.splitlines():
        line = line.strip().split("  ")[0].split(" > ")[0].split(" | ")[0]
        if line.startswith("retrosim"):
            lines.append(shlex.split(line)[1:])
    return lines


@pytest.mark.parametrize("command", COMMANDS + sorted(OWN))
def test_each_subcommand_shows_its_own_examples_and_not_the_others(command, capsys):
    out = help_of(command, capsys)
    own = ALL_EXAMPLES[command]
    assert own.strip().splitlines()[-1].strip() in out
    commands = {argv[0] for argv in example_lines(out)}
    assert commands == {command}, commands


def test_the_top_level_help_shows_a_few_of_each():
    commands = {argv[0] for argv in example_lines(EPILOG) if argv[0][0] != "-"}
    assert commands >= {"run", "compare", "sweep", "report", "check", "validate"}


@pytest.mark.parametrize("name", sorted(ALL_EXAMPLES))
def test_every_example_is_a_command_line_that_names_real_scenarios(name):
    lines = example_lines(ALL_EXAMPLES[name])
    assert lines
    for argv in lines:
        if argv[0].startswith("--") or argv[-1] == "--help":
            continue                                  # --print-completion, --help: they exit
        args = _parser().parse_args(signed(argv))      # as main() reads them
        named = getattr(args, "scenarios", None) or [
            getattr(args, key) for key in ("scenario", "source") if getattr(args, key, None)]
        for scenario in named:
            assert scenario in bundled() or scenario.endswith((".toml", ".nc", ".zarr")), \
                f"{shlex.join(argv)}: {scenario!r} is neither bundled nor a file"


def test_print_completion_prints_a_bash_script_that_completes_scenarios(capsys, tmp_path):
    with pytest.raises(SystemExit) as done:
        main(["--print-completion", "bash"])
    assert done.value.code == 0
    script = capsys.readouterr().out
    path = tmp_path / "retrosim.bash"
    path.write_text(script)
    if shutil.which("bash") is None:
        pytest.skip("no bash to run the script")
    probe = (f"source {shlex.quote(str(path))}\n"
             'COMP_WORDS=(retrosim run knee-rehab-six); COMP_CWORD=2\n'
             'COMP_LINE="retrosim run knee-rehab-six"; COMP_POINT=${#COMP_LINE}\n'
             '_shtab_retrosim; echo "${COMPREPLY[@]}"\n'
             'COMP_WORDS=(retrosim sw); COMP_CWORD=1; COMP_LINE="retrosim sw"\n'
             'COMP_POINT=${#COMP_LINE}; _shtab_retrosim; echo "${COMPREPLY[@]}"\n')
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60,
                         cwd=tmp_path, check=True).stdout.splitlines()
    assert out[0].split() == ["knee-rehab-six-protocols", "knee-rehab-six-weeks"]
    assert out[1].split() == ["sweep"]


@pytest.mark.parametrize("shell", ["zsh", "tcsh"])
def test_print_completion_prints_zsh_and_tcsh_scripts(shell, capsys):
    with pytest.raises(SystemExit) as done:
        main(["--print-completion", shell])
    script = capsys.readouterr().out
    assert done.value.code == 0 and "retrosim" in script
    assert all(command in script for command in COMMANDS + ["check"])
