"""A Python client generated from the service's OpenAPI schema, as another team builds it.

openapi-python-client writes the client's package into a folder (README, "Generated
clients", gives the command); the tests import it from there and call the service
with it. Its functions are named after the operation ids (api/operation_ids.py).
"""

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGE = "service_client"
# The generator would run ruff over what it writes: nobody reads this copy.
CONFIG = f"package_name_override: {PACKAGE}\npost_hooks: []\n"


class GeneratedClient:
    """The generated package: `client.module("api.<tag>.<tag>_<function>")` for an operation."""

    def module(self, name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.{name}")


def generate_client(
    schema: bytes, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> GeneratedClient:
    """Generate a client from `schema` (the served /openapi.json) and make it importable.

    Fails on any warning: a schema the generator cannot fully read would give a client
    with pieces missing.
    """
    folder.mkdir(parents=True)
    (folder / "openapi.json").write_bytes(schema)
    (folder / "config.yml").write_text(CONFIG)
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [
            str(generator),
            "generate",
            *("--path", str(folder / "openapi.json")),
            *("--config", str(folder / "config.yml")),
            *("--meta", "none"),
            *("--output-path", str(folder / PACKAGE)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    # A client generated earlier in this run must not be imported instead of this one.
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(folder))
    return GeneratedClient()
