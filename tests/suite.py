"""The whole test suite: lint, then pytest on SQLite, then pytest on PostgreSQL 15.

    python -m tests.suite [--no-lint] [pytest args...]   (default pytest args: -n 2 -q)

The last line printed is always `N passed, M failed`, summed over both pytest passes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from tests.postgres import PostgresError, running_postgres

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PYTEST_ARGS = ["-n", "2", "-q"]
LINTERS = [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy", "."]]


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.passed += other.passed
        self.failed += other.failed
        return self


def junit_counts(path: Path) -> Counts:
    """Passed and failed test counts from a pytest junitxml file (skips count as neither).

    Counted per <testcase>, since one test can carry both a <failure> and an <error>
    (failing call plus failing teardown); collection errors are <error> testcases too.
    """
    counts = Counts()
    if not path.exists():
        return counts
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            counts.failed += 1
        elif case.find("skipped") is None:
            counts.passed += 1
    return counts


def run_pytest(label: str, args: list[str], env: dict[str, str], junit: Path) -> Counts:
    print(f"\n== {label} ==", flush=True)
    cmd = [sys.executable, "-m", "pytest", *args, f"--junitxml={junit}"]
    code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    counts = junit_counts(junit)
    if code != 0:
        # Exit 5 ("no tests collected"), usage errors and crashes count as failures too.
        print(f"-- {label}: pytest exited with {code}", flush=True)
        counts.failed = max(counts.failed, 1)
    return counts


def lint() -> bool:
    for tool in LINTERS:
        print(f"== {' '.join(tool)} ==", flush=True)
        if subprocess.run([sys.executable, "-m", *tool], cwd=ROOT).returncode != 0:
            print(f"-- `{' '.join(tool)}` failed; fix it, or pass --no-lint to skip linting")
            return False
    return True


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds running_postgres(), which stops the server


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    no_lint = "--no-lint" in argv
    pytest_args = [a for a in argv if a != "--no-lint"] or DEFAULT_PYTEST_ARGS
    if not no_lint and not lint():
        print("0 passed, 1 failed")
        return 1

    total = Counts()
    with tempfile.TemporaryDirectory(prefix="faktura-suite-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        total += run_pytest("pass 1/2: SQLite", pytest_args, env, Path(tmp) / "sqlite.xml")
        try:
            with running_postgres() as url:
                label = f"pass 2/2: PostgreSQL 15 at {url}"
                env = {**env, "DATABASE_URL": url}
                total += run_pytest(label, pytest_args, env, Path(tmp) / "postgres.xml")
        except PostgresError as exc:
            print(f"\n== pass 2/2: PostgreSQL 15 ==\n-- could not start PostgreSQL: {exc}")
            total.failed += 1

    print(f"{total.passed} passed, {total.failed} failed")
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
