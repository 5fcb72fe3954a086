"""Bad answers are refused with a message saying what is allowed, and nothing is written."""

import keyword
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT, render

QUESTIONS = yaml.safe_load((ROOT / "copier.yml").read_text())


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"package_name": "json"}, "would shadow the standard-library module"),
        ({"package_name": "asyncio"}, "would shadow the standard-library module"),
        ({"package_name": "class"}, "is a Python keyword"),
        ({"package_name": "match"}, "is a Python keyword"),
        ({"package_name": "fastapi"}, "would shadow a module the service depends on"),
        ({"package_name": "sqlalchemy"}, "would shadow a module the service depends on"),
        ({"package_name": "tests"}, "would shadow a module the service depends on"),
        ({"package_name": "My-Package"}, "only lowercase letters, digits and underscores"),
        ({"package_name": "1service"}, "must start with a lowercase letter"),
        ({"package_name": "a" * 31}, "30 characters or fewer"),
        ({"project_name": ""}, "must not be empty"),
        ({"project_name": 'Bad "quoted" name'}, "must start with a letter and use only"),
        ({"project_slug": "Not A Slug"}, "lowercase letters and digits in words joined by"),
        ({"project_slug": "trailing-"}, "lowercase letters and digits in words joined by"),
        ({"description": 'Says "hi"'}, "without double quotes or backslashes"),
        ({"author_email": "not-an-address"}, "is not an e-mail address"),
        ({"author_name": 'Quote "me"'}, "must not be empty or contain double quotes"),
        ({"python_version": "3.9"}, "'3.9' is not in ['3.11', '3.12', '3.13']"),
    ],
)
def test_bad_answer_is_refused_and_nothing_is_written(
    template: Path, tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    destination = tmp_path / "service"

    with pytest.raises(ValueError, match=r"Validation error|Invalid choice") as refused:
        render(template, destination, answers)

    assert message in str(refused.value)
    assert not destination.exists()


def test_the_standard_library_list_is_complete() -> None:
    listed = set(QUESTIONS["stdlib_modules"]["default"])
    expected = {name for name in sys.stdlib_module_names if not name.startswith("_")}

    assert expected - listed == set()


def test_the_keyword_list_is_complete() -> None:
    listed = set(QUESTIONS["python_keywords"]["default"])
    expected = {k for k in keyword.kwlist + keyword.softkwlist if k.islower() and k != "_"}

    assert expected - listed == set()


def test_every_question_has_help_and_a_default() -> None:
    for name, question in QUESTIONS.items():
        if name.startswith("_") or question.get("when") is False:
            continue
        assert question.get("help"), f"{name} has no help"
        assert "default" in question, f"{name} has no default"
