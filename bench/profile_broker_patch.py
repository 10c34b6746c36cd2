"""cProfile of one broker worker under the PATCH load of ``bench_broker_updates.py``.

    .venv/bin/python bench/profile_broker_patch.py [--engine sqlite|postgresql] [--seconds 5]
        [--synchronous FULL|NORMAL] [--top 30] [--cpu]

Starts one broker process (uvicorn, one worker) whose event loop thread and group-commit
writer thread are each profiled, loads it with single-attribute PATCHes on 32 connections,
then prints both profiles (by own time) and how many writes each commit carried on average
(group commit forms groups only when requests overlap).

``--cpu``: no profiler; prints the CPU time per PATCH (µs) of each thread of the broker
process (from ``/proc``, user + system) and of the load generator, which shares the cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import textwrap
import time
from pathlib import Path

from bench_broker_updates import create_entities, patch_request
from brokerbench import PYTHON, add_engine_arguments, bench_database, free_port, wait_for
from loadgen import load

SERVER = """
import cProfile, io, pstats, signal, sys, threading
import uvicorn
from dos.asgi import create_app
from dos.broker.store import writer as writer_module

loop_profile = cProfile.Profile()
writer_profile = cProfile.Profile()
counts = {"groups": 0, "writes": 0}
commit = writer_module.GroupCommitWriter._commit_group

def profiled_commit(self, conn, batch):
    counts["groups"] += 1
    counts["writes"] += len(batch)
    writer_profile.enable()
    try:
        return commit(self, conn, batch)
    finally:
        writer_profile.disable()

writer_module.GroupCommitWriter._commit_group = profiled_commit

def report():
    for name, profile in (("event loop thread", loop_profile), ("writer thread", writer_profile)):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(int(sys.argv[2]))
        print(f"===== {name}", out.getvalue(), sep="\\n")
    groups = max(counts["groups"], 1)
    print(f"group commit: {counts['writes']} writes in {counts['groups']} commits, "
          f"{counts['writes'] / groups:.1f} writes per commit")
    sys.stdout.flush()

config = uvicorn.Config(create_app, factory=True, port=int(sys.argv[1]), log_level="warning",
                        access_log=False)
server = uvicorn.Server(config)

def stop(signum, frame):
    # uvicorn re-raises the SIGTERM it captured once it has shut down: report, then exit
    loop_profile.disable()
    report()
    sys.exit(0)

if sys.argv[3] == "cpu":
    writer_module.GroupCommitWriter._commit_group = commit
    loop_profile = cProfile.Profile()  # never enabled: reports nothing
else:
    signal.signal(signal.SIGTERM, stop)
    loop_profile.enable()
server.run()
"""


def thread_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """(name, user + system CPU seconds) of each thread of ``pid``."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[str, float]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except FileNotFoundError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        name = (task / "comm").read_text().strip()
        found[int(task.name)] = (name, (int(fields[11]) + int(fields[12])) / ticks)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_engine_arguments(parser)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--cpu", action="store_true", help="CPU µs per PATCH, no profiler")
    args = parser.parse_args()
    with bench_database(args) as db:
        script = db.work / "profiled_server.py"
        script.write_text(textwrap.dedent(SERVER))
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, str(script), str(port), str(args.top), "cpu" if args.cpu else "profile"],
            env={**db.env, "DOS_SERVE_ONLY": "broker"},
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz")
            create_entities(port, args.entities)
            before = thread_cpu(server.pid)
            own = time.process_time()
            result = load(
                "127.0.0.1",
                port,
                lambda rng: patch_request(rng, args.entities),
                connections=32,
                seconds=args.seconds,
            )
            own = time.process_time() - own
            after = thread_cpu(server.pid)
        finally:
            server.terminate()
            server.wait()
    if args.cpu:
        total = 0.0
        for tid, (name, seconds) in sorted(after.items()):
            used = seconds - before.get(tid, (name, 0.0))[1]
            total += used
            if used > 0:
                print(f"thread {tid} ({name}): {used / result.requests * 1e6:7.0f} µs per PATCH")
        print(f"broker process:        {total / result.requests * 1e6:7.0f} µs per PATCH")
        print(f"load generator:        {own / result.requests * 1e6:7.0f} µs per PATCH")
        print(
            f"{result.requests:,} PATCHes, {result.rate:,.0f}/s with one worker,"
            f" p50 {result.percentile(50):.1f} ms, p99 {result.percentile(99):.1f} ms"
        )
        return 0
    print(
        f"{result.rate:,.0f} updates/s under the profiler, p50 {result.percentile(50):.1f} ms,"
        f" p99 {result.percentile(99):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
