"""Running a Celery task eagerly from one of several test threads."""


def apply_and_return(task, *args, **kwargs):
    """Run ``task`` eagerly in this thread and return its value, raising the exception it raised.

    ``EagerResult.get()`` is not used: Celery marks "inside a task" in one process-wide flag while
    ``Task.apply`` runs, so a thread that finishes first and calls ``get()`` while another thread's task is
    still running is refused with "Never call result.get() within a task!".
    """
    outcome = task.apply(args=args, kwargs=kwargs)
    if outcome.failed():
        raise outcome.result
    return outcome.result
