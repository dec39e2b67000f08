"""CPython's side of the book's Processes chapter.

Run by the `live` binary while the book builds; prints one JSON object.

  cpu:   the same CPU job (4 equal pieces) one after another, in 4 threads
         and in a started Pool(2) (fastest of 3 interleaved rounds).
  costs: what a multiprocessing.Pool(2) costs: its start (until both
         workers have answered), per task at chunksize=1 and at the default
         chunk size, and the peak memory of each worker.
"""

import json
import multiprocessing
import os
import resource
import sys
import threading
import time

TASKS = 4


def crunch(n):
    """CPU work in pure Python: the interpreter holds the GIL throughout."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def square(x):
    return x * x


def pid_and_peak(_):
    """This worker's pid and its peak resident memory in KiB (Linux units)."""
    time.sleep(0.01)
    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def interleaved(contenders, rounds=3):
    """Fastest run of each contender over rounds whose order rotates."""
    names = list(contenders)
    best = {}
    for r in range(rounds):
        for k in range(len(names)):
            name = names[(r + k) % len(names)]
            took = contenders[name]()
            best[name] = min(took, best.get(name, took))
    return best


def size_for(seconds):
    """The n for which crunch(n) takes about `seconds` here."""
    n = 100_000
    took = min(timed(lambda: crunch(n)) for _ in range(3))
    return max(1, int(n * seconds / took))


def in_threads(fn, args):
    workers = [threading.Thread(target=fn, args=(a,)) for a in args]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def interpreter():
    return {
        "version": sys.version.split()[0],
        "start_method": multiprocessing.get_start_method(),
        "cores": os.cpu_count(),
    }


def cpu():
    work = [size_for(0.025)] * TASKS
    with multiprocessing.Pool(2) as pool:
        pool.map(square, range(2))  # both workers up before timing
        best = interleaved(
            {
                "sequential": lambda: timed(lambda: [crunch(n) for n in work]),
                "threads": lambda: timed(lambda: in_threads(crunch, work)),
                "pool2": lambda: timed(lambda: pool.map(crunch, work, chunksize=1)),
            }
        )
    return {**best, "task_s": 0.025, **interpreter()}


def costs():
    def start():
        began = time.perf_counter()
        pool = multiprocessing.Pool(2)
        pool.map(square, range(2), chunksize=1)
        took = time.perf_counter() - began
        pool.terminate()
        pool.join()
        return took

    start_s = min(start() for _ in range(5))
    chunk1_n, default_n = 20_000, 200_000
    with multiprocessing.Pool(2) as pool:
        pool.map(square, range(2))
        chunk1 = min(
            timed(lambda: pool.map(square, range(chunk1_n), chunksize=1))
            for _ in range(3)
        )
        default = min(
            timed(lambda: pool.map(square, range(default_n))) for _ in range(3)
        )
        peaks = {}
        for pid, peak in pool.map(pid_and_peak, range(20), chunksize=1):
            peaks[pid] = max(peak, peaks.get(pid, 0))
    return {
        "start_s": start_s,
        "per_task_chunk1_s": chunk1 / chunk1_n,
        "per_task_default_s": default / default_n,
        "peak_rss_kib": sorted(peaks.values()),
        **interpreter(),
    }


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("cpu", "costs"):
        sys.exit("usage: processes_compare.py cpu|costs")
    print(json.dumps(cpu() if mode == "cpu" else costs()))
