"""Runs a native decoder as a whole process several times, for the codec part of the ingest benchmark.

Each run is timed from spawn to exit (wall, time.perf_counter) and charged the
CPU time the kernel accounted to that child (user + system, from wait4), so
the figures are the process's own, not this runner's. Interpreter start-up is
paid once, before the first run.

    python3 native_decode.py <runs> <program> [arg ...]

Prints one JSON line: timesMs, cpuMs (one entry a run) and maxRssBytes (largest child).
"""
import json
import os
import subprocess
import sys
import time


def run_once(argv):
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read()
    child.stderr.close()
    if child.returncode != 0:
        raise SystemExit(f"{argv[0]} exited with {child.returncode}: {error.decode(errors='replace')[:500]}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss * 1024


def main():
    runs, argv = int(sys.argv[1]), sys.argv[2:]
    run_once(argv)  # warm-up: page cache, dynamic linker
    times, cpu, rss = [], [], 0
    for _ in range(runs):
        wall, cpu_ms, max_rss = run_once(argv)
        times.append(wall)
        cpu.append(cpu_ms)
        rss = max(rss, max_rss)
    print(json.dumps({"timesMs": times, "cpuMs": cpu, "maxRssBytes": rss, "outputBytes": {}}))


if __name__ == "__main__":
    main()
