"""The README's "Testing your controller" walkthrough, run as written in a fresh folder.

Every ```python block of the section starts with a comment naming its file (``# mypackage/
program.py``): it is written there. Every ```console block is a list of ``$ command`` lines,
each followed by lines of its expected output; a trailing ``# exit status N`` is the status the
command must end with. Commands run verbatim in bash with the environment's ``bin`` first on
``PATH`` (``python`` is this interpreter, ``retrosim`` the installed console script), in the
order the README gives them; each expected output line must appear in what the command printed.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Testing your controller"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
STATUS = re.compile(r"\s+#\s*exit status (\d+)\s*$")


def section() -> str:
    text = README.read_text()
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return text[start:end]


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(section())]


def commands(body: str) -> list[tuple[str, int, list[str]]]:
    """(command, exit status, expected output lines) of a console block."""
    out: list[tuple[str, int, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            status = STATUS.search(line)
            assert status, f"a README command without '# exit status N': {line}"
            out.append((line[2:status.start()].strip(), int(status.group(1)), []))
        elif line.strip():
            assert out, f"output before any command: {line}"
            out[-1][2].append(line.strip())
    return out


def test_the_section_has_files_a_test_and_commands():
    kinds = [kind for kind, _ in blocks()]
    assert kinds.count("python") >= 2 and "console" in kinds
    for kind, body in blocks():
        if kind == "python":
            assert body.startswith("# ") and body.splitlines()[0].endswith(".py"), body[:60]


def test_the_readme_walkthrough_runs_verbatim(tmp_path):
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "RETROSIM_")) and k != "PYTHONPATH"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["TERM"] = "dumb"
    ran = 0
    for kind, body in blocks():
        if kind == "python":
            name = body.splitlines()[0][2:].strip()
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
            continue
        for command, status, expected in commands(body):
            done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=600)
            printed = done.stdout + done.stderr
            assert done.returncode == status, (
                f"README: `{command}` exited {done.returncode}, the README says {status}:\n"
                f"{printed}")
            for line in expected:
                assert line in printed, f"README: `{command}` did not print {line!r}:\n{printed}"
            ran += 1
    assert ran >= 5
    assert (tmp_path / "tests" / "golden" / "test_my_program.csv").is_file()
