"""gunicorn.conf.py: the worker hooks, called as gunicorn calls them, and the worker's loop."""

import os
import subprocess
import sys
from pathlib import Path

from tests.support.server import PROJECT_ROOT

# Run in a fresh interpreter: the hooks switch the garbage collector of the process
# they run in, and the test process must keep its own.
HOOKS_PROBE = """
import gc
import runpy

config = runpy.run_path("gunicorn.conf.py")
config["post_fork"](None, None)
print("after post_fork: enabled", gc.isenabled())
config["post_worker_init"](None)
print("after post_worker_init: enabled", gc.isenabled(), "frozen", gc.get_freeze_count() > 0)
"""


def probe_output(probe: str, tmp_path: Path) -> list[str]:
    """The lines a probe prints, run from the project root in a fresh interpreter."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        # Whatever the configuration makes in the temporary directory stays in the test's.
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_collector_pauses_only_while_a_worker_builds_the_app(tmp_path: Path) -> None:
    assert probe_output(HOOKS_PROBE, tmp_path) == [
        "after post_fork: enabled False",
        "after post_worker_init: enabled True frozen True",
    ]


# How uvicorn-worker builds the worker's loop: uvicorn resolves the worker's `loop`.
LOOP_PROBE = """
import runpy

from uvicorn.config import Config

config = runpy.run_path("gunicorn.conf.py")
uvicorn_config = Config(app=None, **config["worker_class"].CONFIG_KWARGS)
loop = uvicorn_config.get_loop_factory()()
print(type(loop).__name__, "on", type(loop).__mro__[1].__module__, uvicorn_config.http)
loop.close()
"""


def test_workers_run_uvloop_accepting_every_waiting_connection(tmp_path: Path) -> None:
    assert probe_output(LOOP_PROBE, tmp_path) == ["GreedyAcceptLoop on uvloop httptools"]
