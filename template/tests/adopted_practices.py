"""The template's checks of your own code that this service has adopted.

Each name turns one check on (tests/support/practices.py reads them). A service made
from the template starts with every check on; a check that arrives later with `copier
update` is not added here, so it stays off until you add its line (docs/updating.md,
"Adopting a new check"). This file is yours: the template never changes it again.
"""

# tests/api/test_contract.py: input the schema forbids is refused (4xx), and input it
# allows is not refused as invalid.
CONTRACT_CHECKS_INPUT = True

# CI's coverage gate (tests/support/coverage_gate.py): the branch coverage, in percent,
# that the test run must reach. Every variant of the template reaches 85 as generated;
# raise it as your tests grow.
COVERAGE_FLOOR = 85
