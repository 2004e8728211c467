"""`make lint` is only worth its name if each of its checks fails on a deliberate violation.

Each test runs the real tool on a temporary copy of the application packages (or, for ruff, on
text given as one of the project's files), first clean and then with one violation added, so
a failure is the violation's and not the copy's. A few seconds in all."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
APPS = (
    "core",
    "console",
    "outages",
    "scripts_library",
    "callbacks",
    "contact",
    "planning",
    "workload",
    "reports",
    "schedule",
)
FUNCTION_LEVEL_IMPORT = "def f():\n    import json\n\n    return json.dumps({})\n"


def _run(*args, cwd, env=None):
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """The application packages, manage.py and pyproject.toml, copied (no tests, no assets)."""
    target = tmp_path_factory.mktemp("project")
    for app in APPS:
        shutil.copytree(ROOT / app, target / app, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("manage.py", "pyproject.toml"):
        shutil.copy(ROOT / name, target / name)
    return target


def _ruff(source, filename):
    return subprocess.run(
        [BIN / "ruff", "check", "--no-cache", "--stdin-filename", filename, "-"],
        cwd=ROOT,
        input=source,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_ruff_refuses_an_import_inside_a_function_in_application_code():
    assert (
        _ruff(
            "import json\n\n\n" + FUNCTION_LEVEL_IMPORT.replace("    import json\n\n", ""),
            "workload/probe.py",
        ).returncode
        == 0
    )
    refused = _ruff(FUNCTION_LEVEL_IMPORT, "workload/probe.py")
    assert refused.returncode == 1 and "PLC0415" in refused.stdout
    # Tests may import inside fixtures (workers and browsers start lazily).
    assert _ruff(FUNCTION_LEVEL_IMPORT, "tests/workload/test_probe.py").returncode == 0


def _lint_imports(copy):
    return _run(BIN / "lint-imports", "--no-cache", "--no-logo", cwd=copy)


# One forbidden import per rule, in one run: each must be reported.
VIOLATIONS = {
    "core/probe.py": ("import outages.models\n", "core.probe -> outages.models"),
    "outages/probe.py": ("import callbacks.policy\n", "outages.probe -> callbacks.policy"),
    "callbacks/probe.py": ("import console.call\n", "callbacks.probe -> console.call"),
    "scripts_library/probe.py": ("import workload\n", "scripts_library.probe -> workload"),
    "callbacks/contact_probe.py": ("import contact\n", "callbacks.contact_probe -> contact"),
    # contact and planning sit side by side: neither uses the other, nor anything above.
    "contact/probe.py": ("import workload\n", "contact.probe -> workload"),
    "planning/probe.py": ("import contact\n", "planning.probe -> contact"),
    # Inside callbacks, a pure module reaching up to the services.
    "callbacks/policy_probe.py": ("from . import services\n", "callbacks.policy_probe"),
    # Inside contact, a read reaching up to the services.
    "contact/selectors_probe.py": ("from . import services\n", "contact.selectors_probe"),
}


def test_import_linter_refuses_imports_against_the_dependency_rules(copy):
    assert _lint_imports(copy).returncode == 0, "the clean copy must pass"
    probes = []
    for module, (line, _) in VIOLATIONS.items():
        probe = copy / module
        probe.write_text(line)
        probes.append(probe)
    conf = copy / "callbacks" / "conf.py"
    original = conf.read_text()
    conf.write_text(original + "\nfrom . import policy_probe  # noqa: E402\n")
    reads = copy / "contact" / "selectors.py"
    original_reads = reads.read_text()
    reads.write_text(original_reads + "\nfrom . import selectors_probe  # noqa: E402\n")
    try:
        refused = _lint_imports(copy)
    finally:
        conf.write_text(original)
        reads.write_text(original_reads)
        for probe in probes:
            probe.unlink()
    assert refused.returncode == 1
    assert "Apps import downwards only: console composes, core imports no app BROKEN" in (
        refused.stdout
    )
    assert "Inside callbacks: tasks above services above the pure modules BROKEN" in (
        refused.stdout
    )
    assert "Inside contact: pages above services and forms above reads and documents BROKEN" in (
        refused.stdout
    )
    for _, reported in VIOLATIONS.values():
        assert reported in refused.stdout


def test_the_migrations_check_refuses_a_model_change_without_its_migration(copy, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "DEBUG": "true",  # as make lint runs it: the development key, no real secret needed
        "DJANGO_SETTINGS_MODULE": "console.settings",  # the project's, not the suite's
    }
    check = (sys.executable, "manage.py", "makemigrations", "--check", "--dry-run")
    assert _run(*check, cwd=copy, env=env).returncode == 0, "the clean copy must pass"
    models = copy / "outages" / "models.py"
    original = models.read_text()
    models.write_text(
        original + "\n\nclass Probe(models.Model):\n    name = models.CharField(max_length=10)\n"
    )
    try:
        refused = _run(*check, cwd=copy, env=env)
    finally:
        models.write_text(original)
    assert refused.returncode == 1
    assert "Probe" in refused.stdout
