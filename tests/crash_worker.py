"""A process for the crash tests: applies a stream of operations to an engine with a store.

Usage: ``python crash_worker.py STORE STREAM.jsonl START [SNAPSHOT_EVERY]`` (SNAPSHOT_EVERY: automatic
snapshots every that many reports; 0 or absent: none). Prints ``ready N`` once the store is
open (N: reports recovered), then ``ack I`` after operation I of the stream returned (so was
durable), then ``done``. The parent kills it with SIGKILL at random points and starts it again from
the first operation not acknowledged. A re-sent close of an event that a killed run already closed
is taken as done (the close is not idempotent by itself: the caller checks the event's status).
"""

from __future__ import annotations

import json
import sys

from routing_core import Engine


def main() -> None:
    store, stream_path, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
    snapshot_every = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    snapshot_dir = f"{stream_path}.snapshots" if snapshot_every else None  # also for PostgreSQL
    with open(stream_path, encoding="utf-8") as fh:
        stream = [json.loads(line) for line in fh]
    out = sys.stdout
    engine = Engine(store=store, snapshot_dir=snapshot_dir, snapshot_every=snapshot_every)
    assert engine.recovery is not None
    out.write(f"ready {engine.recovery.reports} {engine.recovery.snapshot is not None}\n")
    out.flush()
    for i in range(start, len(stream)):
        op = stream[i]
        if op["kind"] == "batch":
            reports = op["reports"]
            if len(reports) == 1:
                engine.submit(reports[0])
            else:
                engine.submit_many(reports)
        elif op["kind"] == "advance":
            engine.advance(op["now"])
        else:
            if engine.event(op["event_id"]).status == "open":
                engine.close(op["event_id"], time=op["time"], resolution="已处置")
        out.write(f"ack {i}\n")
        out.flush()
    out.write("done\n")
    out.flush()
    engine.close_store()


if __name__ == "__main__":
    main()
