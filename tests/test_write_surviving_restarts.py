"""bounceportal.db.write_surviving_restarts: a dropped connection is waited out, and a write that did
commit before the drop is never applied again (the restart itself is tested with a real PostgreSQL in
tests/campaigns/test_service_restarts.py)."""

import pytest
from django.db import OperationalError

from bounceportal.db import write_surviving_restarts


class Write:
    def __init__(self, failures: int):
        self.failures, self.calls = failures, 0

    def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise OperationalError("server closed the connection unexpectedly")


def test_the_write_runs_again_after_a_dropped_connection():
    write = Write(failures=2)

    write_surviving_restarts(write, committed=lambda: False, sleep=lambda seconds: None)

    assert write.calls == 3


def test_a_write_whose_commit_went_through_before_the_drop_is_not_run_again():
    write = Write(failures=1)

    write_surviving_restarts(write, committed=lambda: True, sleep=lambda seconds: None)

    assert write.calls == 1


def test_the_error_propagates_once_the_attempts_are_spent():
    write = Write(failures=5)

    with pytest.raises(OperationalError):
        write_surviving_restarts(write, committed=lambda: False, attempts=3, sleep=lambda seconds: None)

    assert write.calls == 3
