"""Racing real transactions: each job runs in its own thread and database connection, all released at once."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation


def race(action, jobs, *, success: str = "ok") -> list[tuple]:
    """Call `action(*job)` for every job at the same moment. Returns per job `(success, value)`, `("refused",
    messages)` for a ValidationError, or `("error", repr)` for anything else (which the caller should fail on)."""
    start = threading.Barrier(len(jobs))
    outcomes = {}

    def worker(index, job):
        translation.activate("en")
        try:
            start.wait()
            try:
                outcomes[index] = (success, action(*job))
            except ValidationError as exc:
                outcomes[index] = ("refused", exc.messages)
        except Exception as exc:  # anything else fails the test, with its text
            outcomes[index] = ("error", repr(exc))
        finally:
            translation.deactivate()
            connection.close()

    threads = [threading.Thread(target=worker, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [outcomes[n] for n in range(len(jobs))]
