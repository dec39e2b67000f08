"""CPython's side of the book's GIL chapter.

Run by the `live` binary while the book builds; prints one JSON object.

  tutorial: the tutorial's two examples as it states them (4 sleeps of 1 s,
            in threads and in a default process pool).
  fidelity: threads against one thread, for CPU work and for waiting, and a
            pool of two processes for the CPU work (fastest of 3 interleaved
            rounds).
"""

import json
import multiprocessing
import os
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


def nap(seconds):
    """Waiting: time.sleep releases the GIL until it wakes."""
    time.sleep(seconds)


def timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def one_after_another(fn, args):
    return timed(lambda: [fn(a) for a in args])


def in_threads(fn, args):
    def run():
        workers = [threading.Thread(target=fn, args=(a,)) for a in args]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    return timed(run)


def in_pool(fn, args, processes=None):
    def run():
        with multiprocessing.Pool(processes) as pool:
            pool.map(fn, args)

    return timed(run)


def fastest(measure, rounds=3):
    return min(measure() for _ in range(rounds))


def interleaved(contenders, rounds=3):
    """Fastest run of each contender over `rounds` rounds whose order
    rotates, as the course's Rust harness does: a burst of load from a
    neighbour then slows every contender alike."""
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
    took = fastest(lambda: timed(lambda: crunch(n)))
    return max(1, int(n * seconds / took))


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def tutorial():
    return {
        "threads_sleep_1s": in_threads(nap, [1.0] * TASKS),
        "pool_sleep_1s": in_pool(nap, [1.0] * TASKS),
        # What Pool() sizes itself by: os.process_cpu_count() from 3.13 on.
        "pool_workers": getattr(os, "process_cpu_count", os.cpu_count)(),
    }


def fidelity():
    work = [size_for(0.1)] * TASKS
    waits = [0.1] * TASKS
    return interleaved(
        {
            "cpu_sequential": lambda: one_after_another(crunch, work),
            "cpu_threads": lambda: in_threads(crunch, work),
            "cpu_pool2": lambda: in_pool(crunch, work, 2),
            "wait_sequential": lambda: one_after_another(nap, waits),
            "wait_threads": lambda: in_threads(nap, waits),
        }
    )


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("tutorial", "fidelity"):
        sys.exit("usage: gil_compare.py tutorial|fidelity")
    report = tutorial() if mode == "tutorial" else fidelity()
    report.update(
        version=sys.version.split()[0],
        switch_interval=sys.getswitchinterval(),
        gil_enabled=gil_enabled(),
        cores=os.cpu_count(),
    )
    print(json.dumps(report))
