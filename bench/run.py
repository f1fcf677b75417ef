"""`make bench` / `flopcast bench [--quick]`: the performance budget, as one table.

Every row is a median over repeated runs measured in this one invocation (machines are shared
and noisy: compare ratios, not absolute seconds across machines):

- the whole pipeline through Dagster (`flopcast brief`, a fresh process, imports included)
  against the plain-Python path (`python -m bench.plain`: the same stage functions and the
  same dbt invocation, no Dagster run), alternating so noise hits both alike; ratio and overhead;
- `dbt build` on the bundled snapshot and on the publishers' files (mirror mode);
- the Monte Carlo (100,000 draws x 7 years), the PDF render of the full brief;
- the Dagster UI from start to its first HTTP answer;
- peak memory (max RSS) of the Dagster pipeline process;
- scale: the plain pipeline at 1x, 10x and 100x the real row counts (bench/synthetic.py), per stage.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common.processes import free_port, stop_process_group
from bench.model_bench import GOAL_S as MONTE_CARLO_GOAL_S
from orchestration.settings import PROJECT_ROOT, PUBLISHERS_DIR

SECTIONS = ("pipeline", "mirror", "model", "render", "ui", "scale", "baseline")
GOALS = {"baseline_ratio": 1.25, "ratio": 1.3, "overhead_s": 5.0, "monte_carlo_s": MONTE_CARLO_GOAL_S, "render_s": 3.0, "ui_s": 15.0,
         "scale_ratio": 1.5}
MONTH = "2025-06"


def _env(**overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FLOPCAST_") and k != "DAGSTER_HOME"}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def _run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """(seconds, stdout) of one child process; a failure stops the bench with its stderr."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def _run_in(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} in {cwd} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def baseline_seconds(ref: str, runs: int, scratch: Path, env: dict[str, str]) -> tuple[list[float], list[float], str]:
    """`flopcast brief` (default month, as `make brief`) of this checkout and of git ``ref`` (a
    worktree run with this environment's packages, its own code and data), fresh homes,
    alternating; the first round warms caches.
    Returns (current seconds, baseline seconds, note)."""
    tree = scratch / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], cwd=PROJECT_ROOT, check=True,
                   capture_output=True)
    try:
        lock_changed = subprocess.run(["git", "diff", "--quiet", ref, "HEAD", "--", "uv.lock"],
                                      cwd=PROJECT_ROOT).returncode != 0
        python = sys.executable
        command = [python, "-m", "orchestration.cli", "brief"]  # the month `make brief` builds
        _run_in([python, "-m", "orchestration.cli", "prepare"], env, tree)
        current, before = [], []
        for i in range(runs + 1):
            for cwd, out in ((PROJECT_ROOT, current), (tree, before)):
                home = scratch / "baseline_home"
                shutil.rmtree(home, ignore_errors=True)
                seconds = _run_in(command, {**env, "FLOPCAST_HOME": str(home)}, cwd)
                if i:
                    out.append(seconds)
        note = f"baseline {ref}: both build the month make brief builds by default" + (" (its uv.lock differs: run with this environment's packages)" if lock_changed else "")
        return current, before, note
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=PROJECT_ROOT, capture_output=True)


def _peak_rss(command: list[str], env: dict[str, str]) -> float:
    """Peak RSS (MiB) of one run of ``command``, from the kernel's accounting of the child."""
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed (status {status})")
    return usage.ru_maxrss / 1024


def _stages(stdout: str) -> dict[str, float]:
    return json.loads(stdout.strip().splitlines()[-1])


def ui_start_seconds(env: dict[str, str]) -> float:
    """`flopcast ui` from launch to the first answer of /server_info."""
    port = free_port()
    start = time.perf_counter()
    process = subprocess.Popen([str(Path(sys.executable).with_name("flopcast")), "ui", "--port", str(port)],
                               env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - start
            except OSError:
                pass
            if process.poll() is not None or time.perf_counter() - start > 180:
                raise SystemExit("bench: the UI did not answer")
            time.sleep(0.1)
    finally:
        stop_process_group(process)


def render_seconds(home: Path, runs: int) -> tuple[list[float], list[float]]:
    """Render the full brief from a built home, in-process, ``runs`` times (no archive write):
    the seconds of the whole render (metrics, charts, HTML, PDF) and of its HTML -> PDF step."""
    os.environ["FLOPCAST_HOME"] = str(home)
    from orchestration.settings import load_settings
    from orchestration.steps import brief as brief_step

    settings = load_settings()
    captured = {}
    original = brief_step.render_brief

    def capture(inputs):
        captured["inputs"] = inputs
        return original(inputs)

    brief_step.render_brief = capture
    try:
        brief_step.build_brief(settings, MONTH)
    finally:
        brief_step.render_brief = original
    from reports.pdf import render_pdf

    times, pdf_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        rendered = original(captured["inputs"])
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_pdf(rendered.html)
        pdf_times.append(time.perf_counter() - start)
    return times, pdf_times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="flopcast bench")
    parser.add_argument("--quick", action="store_true", help="fewer runs (2; UI and scale once)")
    parser.add_argument("--runs", type=int, help="runs per row (default 5, quick 2)")
    parser.add_argument("--baseline", metavar="GIT_REF",
                        help="also time `flopcast brief` at this git ref against this checkout (section baseline)")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="measure only these sections (repeatable; default all)")
    args = parser.parse_args(argv)
    wanted = set(args.only or SECTIONS)
    runs = args.runs or (2 if args.quick else 5)
    python = sys.executable
    flopcast = str(Path(python).with_name("flopcast"))
    rows: list[tuple[str, int, float, str, str]] = []
    notes: list[str] = []

    def row(name, values, goal="", status=""):
        rows.append((name, len(values), statistics.median(values), goal, status))
        print(f"  {name}: median {statistics.median(values):.2f} over {len(values)}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="flopcast-bench-") as scratch:
        scratch = Path(scratch)
        home = scratch / "home"
        base = _env(FLOPCAST_HOME=home, DAGSTER_HOME=scratch / "dagster_home")
        subprocess.run([flopcast, "prepare"], env=base, cwd=PROJECT_ROOT, check=True, capture_output=True)

        # 1. Dagster vs plain, fresh processes, alternating; the first round warms caches.
        if "pipeline" in wanted:
            dagster_s, plain_s, stages = [], [], []
            for i in range(runs + 1):
                shutil.rmtree(home, ignore_errors=True)
                d, _ = _run([flopcast, "brief", "--month", MONTH], base)
                shutil.rmtree(home, ignore_errors=True)
                p, out = _run([python, "-m", "bench.plain", "--month", MONTH], base)
                if i:
                    dagster_s.append(d)
                    plain_s.append(p)
                    stages.append(_stages(out))
            d_med, p_med = statistics.median(dagster_s), statistics.median(plain_s)
            row("pipeline, Dagster (flopcast brief)", dagster_s)
            row("pipeline, plain Python", plain_s)
            for stage in stages[0]:
                row(f"  plain stage: {stage}", [s[stage] for s in stages])
            ratio = d_med / p_med
            rows.append(("ratio Dagster / plain", runs, ratio, f"<= {GOALS['ratio']}",
                         "met" if ratio <= GOALS["ratio"] else "not met"))
            rows.append(("overhead Dagster - plain, s", runs, d_med - p_med, f"<= {GOALS['overhead_s']}",
                         "met" if d_med - p_med <= GOALS["overhead_s"] else "not met"))
            shutil.rmtree(home, ignore_errors=True)
            peak = _peak_rss([flopcast, "brief", "--month", MONTH], base)
            rows.append(("peak memory, Dagster pipeline, MiB", 1, peak, "", ""))

        # 2. dbt build on the publishers' files read as a mirror (the vendored data/publishers folder
        # is laid out like one; bundled mode loads the same files through the bundled path).
        real = PUBLISHERS_DIR
        if "mirror" in wanted and real.is_dir():
            mirror_dbt = []
            for _ in range(runs):
                shutil.rmtree(home, ignore_errors=True)
                _, out = _run([python, "-m", "bench.plain", "--month", MONTH],
                              {**base, "FLOPCAST_SOURCE_MODE": "mirror", "FLOPCAST_MIRROR_DIR": real})
                mirror_dbt.append(_stages(out)["dbt"])
            row("dbt build, mirror (publishers' files)", mirror_dbt)
        elif "mirror" in wanted:
            notes.append(f"dbt on the mirror skipped: {real} not found (set FLOPCAST_TEST_DATA)")

        # 2b. This checkout against an earlier ref, same machine, same run: the cost of a change.
        if "baseline" in wanted and args.baseline:
            current, before, note = baseline_seconds(args.baseline, runs, scratch, base)
            row("flopcast brief, this checkout", current)
            row(f"flopcast brief, {args.baseline}", before)
            ratio = statistics.median(current) / statistics.median(before)
            rows.append((f"ratio this checkout / {args.baseline}", runs, ratio, f"<= {GOALS['baseline_ratio']}",
                         "met" if ratio <= GOALS["baseline_ratio"] else "not met"))
            notes.append(note)

        # 3. Monte Carlo and render, in-process.
        if "model" in wanted:
            from bench.model_bench import load_inputs, time_monte_carlo

            shutil.rmtree(home, ignore_errors=True)
            _run([python, "-m", "bench.plain", "--month", MONTH], base)  # the marts it reads
            mc = time_monte_carlo(runs=max(runs, 5), inputs=load_inputs(home))
            row("Monte Carlo with calibration, 100k draws x 7 years", mc, f"<= {GOALS['monte_carlo_s']}",
                "met" if statistics.median(mc) <= GOALS["monte_carlo_s"] else "not met")
        if "render" in wanted:
            shutil.rmtree(home, ignore_errors=True)
            _run([python, "-m", "bench.plain", "--month", MONTH], base)
            render, pdf_only = render_seconds(home, max(runs, 3))
            row("PDF render, full brief", render, f"<= {GOALS['render_s']}",
                "met" if statistics.median(render) <= GOALS["render_s"] else "not met")
            row("  of it HTML -> PDF (WeasyPrint)", pdf_only)

        # 4. UI start to first HTTP answer.
        if "ui" in wanted:
            ui = [ui_start_seconds(base) for _ in range(1 if args.quick else min(runs, 3))]
            row("UI start to first HTTP answer", ui, f"<= {GOALS['ui_s']}",
                "met" if statistics.median(ui) <= GOALS["ui_s"] else "not met")

        # 5. Scale: the plain pipeline on synthetic data at 1x, 10x, 100x, per stage.
        if "scale" in wanted:
            from bench.synthetic import generate

            scale_runs = 1 if args.quick else 3
            totals = {}
            for scale in (1, 10, 100):
                snapshot, mirror = generate(scratch / f"data{scale}", scale)
                env = {**base, "FLOPCAST_SOURCE_MODE": "mirror", "FLOPCAST_MIRROR_DIR": mirror,
                       "FLOPCAST_SNAPSHOT_DIR": snapshot}
                measured = []
                for _ in range(scale_runs):
                    shutil.rmtree(home, ignore_errors=True)
                    _, out = _run([python, "-m", "bench.plain", "--month", MONTH], env)
                    measured.append(_stages(out))
                totals[scale] = [sum(m.values()) for m in measured]
                row(f"scale {scale}x, plain pipeline total", totals[scale])
                for stage in measured[0]:
                    row(f"  scale {scale}x stage: {stage}", [m[stage] for m in measured])
            scale_ratio = statistics.median(totals[100]) / statistics.median(totals[1])
            rows.append(("scale ratio 100x / 1x", scale_runs, scale_ratio, f"<= {GOALS['scale_ratio']}",
                         "met" if scale_ratio <= GOALS["scale_ratio"] else "not met"))

    print(f"\nflopcast bench ({'quick' if args.quick else 'full'}): medians over the runs shown, "
          f"measured in this invocation; brief month {MONTH}\n")
    print(f"{'measure':<44}{'runs':>5}{'median':>10}  {'goal':<9}{'status'}")
    for name, count, value, goal, status in rows:
        print(f"{name:<44}{count:>5}{value:>10.2f}  {goal:<9}{status}")
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
