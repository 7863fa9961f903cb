"""Run callables at the same moment on real, separate database connections (row-lock tests).

Use with ``pytest.mark.django_db(transaction=True)``: each thread opens its own connection, so
the database, not Python, decides who waits for whose lock."""

import threading

from django.db import connections

from callcenter.errors import ApplicationError


def run_parallel(targets, *, results: bool = False) -> list:
    """Start every callable of ``targets`` in its own thread behind a barrier and wait for all.

    Each outcome is ``"ok"`` (or, with ``results=True``, the callable's return value) or the code
    of the ``ApplicationError`` it raised. Sorted, unless ``results=True`` (then in finishing
    order). Any other exception fails the test through the missing outcome."""
    barrier = threading.Barrier(len(targets))
    outcomes = []

    def wrap(fn):
        try:
            barrier.wait()
            value = fn()
            outcomes.append(value if results else "ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes if results else sorted(outcomes)
