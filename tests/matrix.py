"""The answer matrix, generated from the option questions in copier.yml.

Options are the questions under the "Options" heading of copier.yml: every `bool`
question and every question with `choices`, except `python_version` (only 3.11 is
installable on the machines that run these tests; tests/test_render.py renders the
other floors statically) and the deployment files (docker, kubernetes, ci), which
change no Python code: tests/test_deployment.py validates them for every database.
A new option is covered as soon as it is added there.
"""

import itertools
from collections.abc import Iterator
from functools import cache
from typing import Any

import jinja2
import yaml

from tests.helpers import ROOT

Answers = dict[str, Any]
NOT_OPTIONS = frozenset({"python_version", "docker", "kubernetes", "ci"})
# What to generate, and a resource's own questions: tests/test_resources.py covers them.
RESOURCE_QUESTIONS = frozenset({"generate", "resource", "singular", "owned", "fields"})


@cache
def questions() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((ROOT / "copier.yml").read_text())
    return {name: spec for name, spec in data.items() if not name.startswith("_")}


def option_values() -> dict[str, list[Any]]:
    """Each option with every value it can take, in the order copier.yml lists them."""
    values: dict[str, list[Any]] = {}
    for name, spec in questions().items():
        if name in NOT_OPTIONS | RESOURCE_QUESTIONS or spec.get("when") is False:
            continue
        if spec.get("type") == "bool":
            values[name] = [False, True]
        elif "choices" in spec:
            choices = spec["choices"]
            values[name] = list(choices.values() if isinstance(choices, dict) else choices)
    return values


def refusal(answers: Answers) -> str:
    """The message copier's validators give these option answers ('' when they are valid)."""
    environment = jinja2.Environment(autoescape=False)  # noqa: S701 - renders messages, not HTML
    environment.filters["regex_search"] = lambda *_: True
    for name in answers:
        validator = questions()[name].get("validator")
        if validator:
            # A copy: copier writes over no service, so nothing is compared with one.
            context = {**answers, "_copier_conf": {"overwrite": False}}
            message = environment.from_string(validator).render(context).strip()
            if message:
                return message
    return ""


def all_combinations() -> Iterator[Answers]:
    """Every valid combination of option values."""
    names, values = zip(*option_values().items(), strict=True)
    for combination in itertools.product(*values):
        answers = dict(zip(names, combination, strict=True))
        if not refusal(answers):
            yield answers


def pairs(answers: Answers) -> set[tuple[tuple[str, Any], tuple[str, Any]]]:
    return set(itertools.combinations(sorted(answers.items(), key=lambda kv: kv[0]), 2))


def pairwise(already: list[Answers]) -> list[Answers]:
    """More valid combinations so that, with `already`, every valid pair of values appears.

    Greedy: repeatedly take the combination that covers the most pairs not yet
    covered. Deterministic, so CI runs the same set every time.
    """
    candidates = list(all_combinations())
    uncovered = set().union(*(pairs(answers) for answers in candidates))
    uncovered -= set().union(*(pairs(answers) for answers in already))
    chosen: list[Answers] = []
    while uncovered:
        best = max(candidates, key=lambda answers: len(pairs(answers) & uncovered))
        chosen.append(best)
        uncovered -= pairs(best)
    return chosen


def service_default(name: str) -> Any:
    """A question's default when a service is generated (some depend on `generate`)."""
    default = questions()[name].get("default")
    if isinstance(default, str) and "{{" in default:
        environment = jinja2.Environment(autoescape=False)  # noqa: S701 - renders answers, not HTML
        return environment.from_string(default).render(generate="service")
    return default


def _richest(name: str, values: list[Any]) -> Any:
    default = service_default(name)
    if isinstance(default, bool):
        return True
    return default if default != "none" else next(v for v in values if v != "none")


def defaults() -> Answers:
    return {name: service_default(name) for name in option_values()}


def all_on() -> Answers:
    """Every feature switched on; a choice keeps its default unless that is 'none'."""
    return {name: _richest(name, values) for name, values in option_values().items()}


def all_off() -> Answers:
    """Every feature switched off: False, or 'none' where a choice offers it."""
    return {
        name: False if values == [False, True] else ("none" if "none" in values else values[0])
        for name, values in option_values().items()
    }


def full_runs() -> dict[str, Answers]:
    """The combinations that are rendered, installed and fully tested, by label."""
    runs = {"defaults": defaults(), "all-on": all_on(), "all-off": all_off()}
    for answers in pairwise(list(runs.values())):
        runs[label(answers)] = answers
    return runs


def sweep() -> list[Answers]:
    """Every valid combination that is not fully run: these are rendered and linted."""
    fully_run = list(full_runs().values())
    return [answers for answers in all_combinations() if answers not in fully_run]


def label(answers: Answers) -> str:
    """A short readable name: the options that differ from their defaults."""
    parts = []
    for name, value in answers.items():
        if value != service_default(name):
            parts.append(name if value is True else f"no-{name}" if value is False else value)
    return "-".join(parts) or "defaults"
