"""CI's coverage gate: the last test run's branch coverage against this service's floor.

    uv run coverage run -m pytest && uv run python -m tests.support.coverage_gate

Prints coverage's report (settings in pyproject.toml's [tool.coverage] tables) and
exits 2 when the total is below COVERAGE_FLOOR in tests/adopted_practices.py. The floor
lives there, not in pyproject.toml, because that file is yours: a new service starts at
the figure every variant of the template reaches, and a service that gets the gate from
`copier update` has no floor, so the gate only reports until you set one.
"""

import sys

from coverage import Coverage

from tests.support.practices import adopted_value

BELOW_THE_FLOOR = 2  # coverage's own exit code for `coverage report --fail-under`


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")


def main() -> int:
    coverage = Coverage()
    coverage.load()
    total = coverage.report()
    floor = adopted_value("COVERAGE_FLOOR")
    if floor is None:
        say(f"Total {total:.1f}%. No floor: set COVERAGE_FLOOR in tests/adopted_practices.py.")
        return 0
    if isinstance(floor, bool) or not isinstance(floor, int | float):
        say(f"COVERAGE_FLOOR must be a number of percent, not {floor!r}.")
        return BELOW_THE_FLOOR
    if total < floor:
        say(f"Coverage failure: total of {total:.1f}% is below the floor of {floor}%.")
        return BELOW_THE_FLOOR
    say(f"Total {total:.1f}% reaches the floor of {floor}%.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
