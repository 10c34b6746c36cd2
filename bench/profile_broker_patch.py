"""cProfile of one broker worker under the PATCH load of ``bench_broker_updates.py``.

    .venv/bin/python bench/profile_broker_patch.py [--engine sqlite|postgresql] [--seconds 5]
        [--synchronous FULL|NORMAL] [--top 30]

Starts one broker process (uvicorn, one worker) whose event loop thread and group-commit
writer thread are each profiled, loads it with single-attribute PATCHes on 32 connections,
then prints both profiles (by own time) and how many writes each commit carried on average
(group commit forms groups only when requests overlap).
"""

from __future__ import annotations

import argparse
import subprocess
import textwrap

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

signal.signal(signal.SIGTERM, stop)
loop_profile.enable()
server.run()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_engine_arguments(parser)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with bench_database(args) as db:
        script = db.work / "profiled_server.py"
        script.write_text(textwrap.dedent(SERVER))
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, str(script), str(port), str(args.top)],
            env={**db.env, "DOS_SERVE_ONLY": "broker"},
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz")
            create_entities(port, args.entities)
            result = load(
                "127.0.0.1",
                port,
                lambda rng: patch_request(rng, args.entities),
                connections=32,
                seconds=args.seconds,
            )
        finally:
            server.terminate()
            server.wait()
    print(
        f"{result.rate:,.0f} updates/s under the profiler, p50 {result.percentile(50):.1f} ms,"
        f" p99 {result.percentile(99):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
