"""The soak: mixed reads and writes against the production command, bounded in time.

Passes when wrk saw no error, the worker's memory did not grow by more than 10 %,
and every write the service acknowledged with a 201 is in the database afterwards.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

from benchmarks.harness import LoadResult, Server, rss_mib, wrk
from benchmarks.project import Project

MAX_RSS_GROWTH = 0.10
WARMUP_SECONDS = 5
RSS_SAMPLE_SECONDS = 2.0


@dataclass
class SoakResult:
    load: LoadResult
    rss_start_mib: float
    rss_end_mib: float
    rss_max_mib: float
    acknowledged_writes: int
    missing_writes: int
    same_worker: bool

    @property
    def rss_growth(self) -> float:
        return self.rss_end_mib / self.rss_start_mib - 1

    @property
    def passed(self) -> bool:
        return (
            self.load.errors == 0
            and self.rss_growth <= MAX_RSS_GROWTH
            and self.missing_writes == 0
            and self.acknowledged_writes > 0
            and self.same_worker
        )


def soak(
    project: Project,
    server: Server,
    *,
    seconds: float,
    connections: int,
    core: int | None,
    workdir: Path,
) -> SoakResult:
    url = f"http://127.0.0.1:{server.port}"
    # A short run of the same mix first, so the memory baseline is a warm worker's.
    warmup_ids = workdir / "soak-warmup-ids.txt"
    wrk(
        url,
        seconds=WARMUP_SECONDS,
        connections=connections,
        core=core,
        server=server,
        script="soak.lua",
        env={"SOAK_RUN_TAG": "warmup", "SOAK_IDS_FILE": str(warmup_ids)},
    )
    worker = server.worker_pid
    rss_start = rss_mib(worker)
    samples = [rss_start]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(RSS_SAMPLE_SECONDS):
            try:
                samples.append(rss_mib(worker))
            except OSError:  # the worker went away; reported below
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    ids_file = workdir / "soak-ids.txt"
    try:
        load = wrk(
            url,
            seconds=seconds,
            connections=connections,
            core=core,
            server=server,
            script="soak.lua",
            env={"SOAK_RUN_TAG": "soak", "SOAK_IDS_FILE": str(ids_file)},
        )
    finally:
        stop.set()
        sampler.join()
    same_worker = server.worker_pid == worker
    rss_end = rss_mib(worker) if same_worker else float("nan")
    acknowledged = len(set(ids_file.read_text().split()))
    missing = int(project.db("missing", project.database_url, str(ids_file)))
    return SoakResult(
        load=load,
        rss_start_mib=rss_start,
        rss_end_mib=rss_end,
        rss_max_mib=max(samples),
        acknowledged_writes=acknowledged,
        missing_writes=missing,
        same_worker=same_worker,
    )
