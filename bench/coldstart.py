"""Cold starts: a fresh interpreter on an unpacked package, from its start to the first response.

`LocalFunction` starts `python -I -S -B` (the standard library and the package, nothing else,
nothing written) in the unpacked folder, as Lambda does; the time runs from starting that
process until the handler's answer to the first event is back.
"""

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
