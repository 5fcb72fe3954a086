"""Which of the template's checks of your own code are on: tests/adopted_practices.py says.

Some of the template's tests judge code that is yours (your schemas, your routes). A
service made from the template has all of them on, in its tests/adopted_practices.py.
That file is yours and `copier update` never writes it, so a check that arrives with an
update is off until you add it there: code written before the check must not fail the
suite on the day of the update. docs/updating.md lists the checks, and how to adopt one.
"""

import importlib


def adopted(practice: str) -> bool:
    """Whether tests/adopted_practices.py turns this check on (off if it does not say)."""
    return bool(adopted_value(practice, False))


def adopted_value(practice: str, default: object = None) -> object:
    """What tests/adopted_practices.py sets this check to (`default` if it does not say)."""
    try:
        choices = importlib.import_module("tests.adopted_practices")
    except ModuleNotFoundError:
        return default
    return getattr(choices, practice, default)
