"""Cold starts: a fresh interpreter on an unpacked package, from its start to the first response.

`LocalFunction` starts `python -I -S -B` (the standard library and the package, nothing else,
nothing written) in the unpacked folder, as Lambda does; the time runs from starting that
process until the handler's answer to the first event is back.
"""

import mmap
import os
import statistics
import time

from local_aws.events import Response
from local_aws.runtime import LocalFunction


def cold_start(task_root, environment, event, snapshot=None):
    """Seconds from a new interpreter (or, with a `snapshot`, from the fork of a restored instance) to the first
    response, which must be a 200."""
    function = LocalFunction(task_root, environment, snapshot=snapshot)
    try:
        start = time.perf_counter()
        result = function.invoke(event).check()
        elapsed = time.perf_counter() - start
    finally:
        function.close()
    response = Response.from_result(result)
    if response.status != 200:
        raise RuntimeError(f"{task_root}: status {response.status}\n{response.text[:2000]}")
    return elapsed


def alternate(subjects, runs):
    """{name: [seconds, ...]}: one cold start of each subject per round, `runs` rounds, after a warm-up round.

    subjects is {name: (task_root, environment, event, snapshot or None)}; alternating spreads the machine's
    drift over all of them. The warm-up round fills the page cache, as Lambda's own code cache would be.
    """
    for subject in subjects.values():
        cold_start(*subject)
    times = {name: [] for name in subjects}
    for _ in range(runs):
        for name, subject in subjects.items():
            times[name].append(cold_start(*subject))
    return times


def summary(times):
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "runs": len(times),
    }


def restored_instances(task_root, environment, event, snapshot, rounds):
    """Medians over `rounds` restored instances, each invoked twice: the milliseconds from asking for the instance
    to its first answer (`first_answer_ms`), split as Lambda's REPORT line splits them (`restore_duration_ms`,
    from the fork to the end of the after-restore hooks; `first_duration_ms`, the handler's), the handler's on the
    second invocation (`second_duration_ms`), and the page faults of each invocation (`first_page_faults`, chiefly
    the pages of the snapshot the first answer writes to, each copied then: copy-on-write; `second_page_faults`)."""
    instances = []
    for _ in range(rounds):
        function = LocalFunction(task_root, environment, snapshot=snapshot)
        try:
            start = time.perf_counter()
            first = function.invoke(event)
            answered = (time.perf_counter() - start) * 1000
            second = function.invoke(event)
        finally:
            function.close()
        first.check()
        second.check()
        instances.append(
            {
                "first_answer_ms": answered,
                "restore_duration_ms": first.restore_duration_ms,
                "first_duration_ms": first.duration_ms,
                "second_duration_ms": second.duration_ms,
                "first_page_faults": first.page_faults,
                "second_page_faults": second.page_faults,
            }
        )
    return {name: statistics.median(instance[name] for instance in instances) for name in instances[0]}


def page_copy_us(pages=3000, rounds=7):
    """Microseconds a forked process takes to write to a page it shares with its parent (the kernel copies it
    first): the median over `rounds` children, each writing one byte to each of `pages` pages."""
    size = mmap.PAGESIZE
    memory = bytearray(pages * size)
    for offset in range(0, len(memory), size):
        memory[offset] = 1
    times = []
    for _ in range(rounds):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: time the writes, send the figure, leave without cleanup
            start = time.perf_counter()
            for offset in range(0, len(memory), size):
                memory[offset] = 2
            os.write(writer, str(time.perf_counter() - start).encode())
            os._exit(0)
        os.close(writer)
        with os.fdopen(reader) as answer:
            times.append(float(answer.read()))
        os.waitpid(pid, 0)
    return statistics.median(times) / pages * 1e6
