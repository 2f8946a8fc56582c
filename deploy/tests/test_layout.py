"""deploy/ is the production tooling: none of it imports the local stand-ins of AWS (local_aws/) or moto."""

import json
import subprocess
import sys

import pytest

from local_aws.stage import BASE_DIR

TOOLING = sorted(path.stem for path in (BASE_DIR / "deploy").glob("*.py") if path.stem != "__init__")

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("local_aws", "moto"))))
"""


@pytest.mark.parametrize("module", TOOLING)
def test_the_production_tooling_imports_no_stand_in(module):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, f"deploy.{module}"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_tooling_is_what_deploys():
    assert {"build", "package", "stage", "stage_from_stack", "set_secrets", "collectstatic", "run_zappa"} <= set(
        TOOLING
    )
