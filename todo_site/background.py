"""
Work done off the request, as Zappa's asynchronous tasks.

On Lambda a call to a `background` function returns at once: Zappa invokes the function itself with the
call's arguments (InvocationType "Event", so they must be JSON), and Lambda runs it on an instance of its
own, retrying it twice if it raises and then handing the event to the function's dead-letter queue. Off
Lambda (`make run`, the tests) the call runs in place. Either way the arguments travel as JSON.
"""

import functools

from django.db import close_old_connections, connection


def background(function):
    """A Zappa asynchronous task that, like a request, starts and ends with Django's check of the database
    connection: on Lambda an instance keeps its connection between invocations (CONN_MAX_AGE)."""

    @functools.wraps(function)
    def sync(*args, **kwargs):
        check_connection()
        try:
            return function(*args, **kwargs)
        finally:
            check_connection()

    @functools.wraps(function)
    def dispatch(*args, **kwargs):
        # Imported on the first call, not at start: it makes four boto3 clients, a cost no cold start should pay.
        from zappa.asynchronous import task

        return task(sync)(*args, **kwargs)

    # Zappa's task router runs `.sync` of what the task path names: the function itself, in this invocation.
    dispatch.sync = sync
    return dispatch


def check_connection():
    # Inside a transaction (a task run in place by a test, say) the connection is not this task's to close.
    if not connection.in_atomic_block:
        close_old_connections()
