"""Runs killed at random: `make kill-test` / `python -m bench.kill_runs [--runs 20]`.

A real `flopcast brief` in a fresh home is stopped from outside at a random instant of its
run (uniform over the time a whole run takes, measured first), in turn: SIGKILL to the whole
process group (the run and its dbt child at once, like a power cut of a container), SIGKILL to
the main process alone (its dbt child must die with it), SIGINT to the group (Ctrl-C in a
terminal) and SIGTERM to the main process (a service manager's stop). A SIGINT or SIGTERM must
end the run within 60 s without publishing (a run that publishes after it has lost the stop).
After every stop, what a reader or the next run finds must be whole:

- the published warehouse opens read-only and every table in it reads in full;
- the last brief (if any was published) is a PDF that parses, beside its metrics.json;
- every landing pointer (LATEST, PREVIOUS) parses and names a file whose bytes hash to its name;
- no dbt process of the killed run is left writing;
- the next run succeeds (it is run to the end, then the next kill starts).

Prints one row per kill and exits non-zero if any check failed. Uses few Monte Carlo draws
(FLOPCAST_MODEL_DRAWS, default 4000) so that a run takes well under a minute: the kills are about
where a run can die, not how long the model takes.
"""

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from common.clock import utc_now_iso
from common.processes import alive, children_of
from orchestration.settings import PROJECT_ROOT

MONTH = "2025-06"
FLOPCAST = str(Path(sys.executable).with_name("flopcast"))


def run_env(home: Path, draws: str) -> dict:
    return {**os.environ, "FLOPCAST_HOME": str(home), "FLOPCAST_MODEL_DRAWS": draws,
            "FLOPCAST_REVISION_MONTHS": "2", "DAGSTER_HOME": str(home / "dagster_home")}


def brief(env: dict) -> subprocess.Popen:
    return subprocess.Popen([FLOPCAST, "brief", "--month", MONTH], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def complete_run(env: dict) -> float:
    start = time.perf_counter()
    process = brief(env)
    _, err = process.communicate(timeout=900)
    if process.returncode != 0:
        raise RuntimeError(f"the run after a kill failed: {err.decode(errors='replace').strip()[-600:]}")
    return time.perf_counter() - start


def check_warehouse(home: Path) -> str:
    path = home / "warehouse.duckdb"
    if not path.exists():
        return "no published warehouse yet"
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type = 'BASE TABLE'").fetchall()
        rows = sum(con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables)
    finally:
        con.close()
    return f"{len(tables)} tables, {rows} rows"


def check_brief(home: Path) -> str:
    from pypdf import PdfReader

    folder = home / "briefs" / MONTH
    if not (folder / "brief.pdf").exists():
        return "no brief yet"
    pages = len(PdfReader(folder / "brief.pdf").pages)
    json.loads((folder / "metrics.json").read_text())
    return f"{pages} pages"


def check_landing(home: Path) -> str:
    pointers = 0
    for pointer in (home / "landing").glob("*/*"):
        if pointer.name in ("LATEST", "PREVIOUS"):
            record = json.loads(pointer.read_text())
            target = pointer.parent / record["path"]
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            if digest != record["sha256"] or not target.name.startswith(digest):
                raise AssertionError(f"{pointer} names {target.name}, whose bytes hash to {digest}")
            pointers += 1
    return f"{pointers} pointers"


# (signal, to the whole process group?), used in turn
STOPS = ((signal.SIGKILL, True), (signal.SIGKILL, False), (signal.SIGINT, True), (signal.SIGTERM, False))


def published_after(home: Path, sent_at: str) -> bool:
    """Did the run publish after the stop was sent (``last_publish.json``, second resolution: a
    publish in the same second counts as before)?"""
    record = home / "last_publish.json"
    return record.exists() and json.loads(record.read_text())["published_at"] > sent_at


def kill_once(env: dict, home: Path, full_run_s: float, rng: random.Random, stop: tuple) -> dict:
    signo, whole_group = stop
    process = brief(env)
    delay = rng.uniform(0.0, full_run_s * 0.9)  # later runs are a little faster than the first
    deadline = time.perf_counter() + delay
    while time.perf_counter() < deadline and process.poll() is None:
        time.sleep(0.05)
    finished_first = process.poll() is not None
    children = [] if finished_first else children_of(process.pid)
    sent_at = utc_now_iso()
    if not finished_first:
        if whole_group:
            os.killpg(process.pid, signo)
        else:
            os.kill(process.pid, signo)
    stopped = time.perf_counter()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(f"the run went on for 60 s after {signal.Signals(signo).name}") from None
    stop_s = time.perf_counter() - stopped
    if not finished_first and signo != signal.SIGKILL and process.returncode == 0 and published_after(home, sent_at):
        # the run published after the stop: the stop was lost (it happened; found by this script)
        raise AssertionError(f"the run published after {signal.Signals(signo).name} ({stop_s:.1f} s later)")
    leftover_wait = time.perf_counter() + 10
    while any(alive(pid) for pid in children) and time.perf_counter() < leftover_wait:
        time.sleep(0.1)
    left = [pid for pid in children if alive(pid)]
    if left:
        raise AssertionError(f"processes of the killed run still alive: {left}")
    return {"at_s": round(delay, 1), "signal": signal.Signals(signo).name,
            "to": "group" if whole_group else "main", "finished_first": finished_first,
            "exit": process.returncode, "stopped_in_s": round(stop_s, 1), "warehouse": check_warehouse(home),
            "brief": check_brief(home), "landing": check_landing(home)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.kill_runs")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--draws", default="4000")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    home = Path(tempfile.mkdtemp(prefix="flopcast-kill-"))
    env = run_env(home, args.draws)
    full_run_s = complete_run(env)
    print(f"kill_runs: home {home}; a whole run takes {full_run_s:.1f} s; {args.runs} kills", flush=True)
    failures, stops, i = 0, 0, 0
    while stops < args.runs and i < 2 * args.runs:  # a run that finished before its stop does not count
        i += 1
        try:
            row = kill_once(env, home, full_run_s, rng, STOPS[stops % len(STOPS)])
            row["next_run_s"] = round(complete_run(env), 1)
            row["next_brief"] = check_brief(home)
            status = "ok"
        except Exception as exc:  # report every stop, then fail at the end
            row, status, failures = {"error": str(exc)[:300]}, "FAILED", failures + 1
        stops += not row.get("finished_first")
        print(f"{i:2d} {status:6s} " + json.dumps(row), flush=True)
    print(f"kill_runs: {stops - failures} of {stops} stops left a whole state and a next run that succeeded")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
