"""Run requests at the same moment on several threads, as concurrent Lambda containers would."""

import threading

from django.db import connections


def run_together(jobs, *, threads=8):
    """Run every job (a callable) on `threads` threads that start at the same moment; return the results in order.

    Job n runs on thread n % threads. Each thread has its own database connections (Django keeps
    them per thread) and closes them when it is done. The first exception of any job is raised here.
    """
    threads = min(threads, len(jobs))
    start = threading.Barrier(threads)
    results = [None] * len(jobs)
    errors = []

    def work(first):
        try:
            start.wait()
            for n in range(first, len(jobs), threads):
                results[n] = jobs[n]()
        except BaseException as error:  # raised again in the calling thread
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(first,)) for first in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return results
