"""What the package carries: a licence, a citation file that validates against the Citation
File Format's schema, metadata that agrees with itself, and ``python -m retrosim``."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

import retrosim

ROOT = Path(__file__).resolve().parent.parent
CFF_SCHEMA = Path(__file__).parent / "data" / "citation-file-format-1.2.0.json"


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def citation():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_the_citation_file_is_valid_citation_file_format_1_2_0():
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(citation())]
    assert errors == []


def test_the_schema_rejects_a_citation_file_with_a_mistake():
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    broken = {**citation(), "license": "BSD-3"}           # not an SPDX identifier
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_citation_licence_and_metadata_agree():
    cff, project = citation(), pyproject()
    assert cff["version"] == retrosim.__version__ == project["version"]
    assert cff["license"] == project["license"] == "BSD-3-Clause"      # an SPDX expression
    assert cff["repository-code"] == project["urls"]["Source"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("BSD 3-Clause License") and "The retrosim developers" in licence
    assert project["license-files"] == ["LICENSE"]
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]   # superseded


def test_the_python_versions_named_agree_with_requires_python():
    project = pyproject()
    lowest = tuple(int(x) for x in project["requires-python"].removeprefix(">=").split("."))
    named = [tuple(int(x) for x in c.rsplit(" :: ", 1)[1].split("."))
             for c in project["classifiers"]
             if c.startswith("Programming Language :: Python :: 3.")]
    assert named and min(named) == lowest


def test_python_dash_m_runs_the_command_line_and_importing_it_runs_nothing():
    done = subprocess.run([sys.executable, "-m", "retrosim", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"retrosim {retrosim.__version__}"
    done = subprocess.run([sys.executable, "-c", "import retrosim.__main__"],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
