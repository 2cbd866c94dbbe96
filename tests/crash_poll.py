"""Run a management command in a process that SIGKILLs itself at an ingestion checkpoint.

    python tests/crash_poll.py NAME:N poll_bounces --mailbox ID

installs, in this process only, a ``campaigns.services.ingestion.checkpoint`` that kills the
process the Nth time the poll reaches checkpoint NAME, then runs the command as manage.py
would. Production code carries no trace of this beyond the no-op ``checkpoint``.
"""

import os
import signal
import sys
from pathlib import Path


def install_killer(spec: str) -> None:
    """Replace the ingestion checkpoint with one that SIGKILLs at ``NAME:N``."""
    from campaigns.services import ingestion

    target, _, nth = spec.partition(":")
    hits = {"count": 0}

    def kill_at(name: str) -> None:
        if name == target:
            hits["count"] += 1
            if hits["count"] >= int(nth or 1):
                os.kill(os.getpid(), signal.SIGKILL)

    ingestion.checkpoint = kill_at


def main() -> None:
    spec, *command = sys.argv[1:]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bounceportal.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    install_killer(spec)
    execute_from_command_line(["manage.py", *command])


if __name__ == "__main__":
    main()
