"""The conventions ARCHITECTURE.md sets: ruff-clean and ruff-formatted, mypy-clean on zhizao/."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint_and_format():
    lint = run("ruff", "check", "zhizao", "tests", "bench")
    assert lint.returncode == 0, lint.stdout
    fmt = run("ruff", "format", "--check", "zhizao", "tests", "bench")
    assert fmt.returncode == 0, fmt.stdout


def test_mypy_on_the_package():
    result = run("mypy", "zhizao")
    assert result.returncode == 0, result.stdout
