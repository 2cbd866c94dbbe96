"""sendmail 8.17: a .mc of our own built with m4; the bounce domain goes by mailertable to the
lab's SMTP collector (sendmail has no Maildir delivery of its own)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..plan import COLLECTOR_IP
from . import Mta, run

MC = Path("/etc/mail/bp-lab.mc")
CF = Path("/etc/mail/bp-lab.cf")
MAILERTABLE = Path("/etc/mail/bp-lab-mailertable")

TEMPLATE = """\
divert(-1)
divert(0)dnl
include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
VERSIONID(`BouncePortal MTA lab')dnl
OSTYPE(`debian')dnl
define(`confDOMAIN_NAME', `mta.lab')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confTO_QUEUEWARN', `{warn}')dnl
define(`confTO_QUEUERETURN', `{ret}')dnl
define(`confTO_CONNECT', `5s')dnl
define(`confTO_ICONNECT', `5s')dnl
define(`confMIN_QUEUE_AGE', `0')dnl
define(`confQUEUE_LA', `100')dnl
define(`confREFUSE_LA', `100')dnl
define(`confHOST_STATUS_DIRECTORY', `')dnl
define(`confPRIVACY_FLAGS', `authwarnings')dnl
define(`confLOG_LEVEL', `9')dnl
define(`confPID_FILE', `{work}/sendmail.pid')dnl
define(`QUEUE_DIR', `{work}/mqueue')dnl
FEATURE(`mailertable', `hash -o {mailertable}')dnl
FEATURE(`promiscuous_relay')dnl
FEATURE(`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(`Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""


class Sendmail(Mta):
    name = "sendmail"
    packages = ["sendmail"]
    settings = {"Timeout.queuewarn": "2m", "Timeout.queuereturn": "8m", "queue runs": "-q30s"}
    uses_collector = True

    def configure(self) -> None:
        MC.write_text(
            TEMPLATE.format(
                warn=self.settings["Timeout.queuewarn"],
                ret=self.settings["Timeout.queuereturn"],
                mailertable=MAILERTABLE,
                work=self.work,
            )
        )
        # A queue of its own, owned by root: in this sandbox sendmail (as root) could not write
        # its data files into Debian's smmta-owned /var/spool/mqueue ("bfcommit: Permission denied").
        (self.work / "mqueue").mkdir(mode=0o700, exist_ok=True)
        MAILERTABLE.write_text(f"bounce.lab\tesmtp:[{COLLECTOR_IP}]\n")
        with MAILERTABLE.open("rb") as src:
            subprocess.run(["makemap", "hash", str(MAILERTABLE)], stdin=src, check=True)
        with CF.open("w") as out:
            subprocess.run(["m4", str(MC)], stdout=out, check=True)

    def start(self) -> None:
        # -X: the SMTP traffic log, kept with the run for debugging.
        run("sendmail", "-C", str(CF), "-bd", self.settings["queue runs"], "-X", str(self.work / "sendmail.trace"))

    def stop(self) -> None:
        (self.work / "mailq.txt").write_text(run("mailq", "-C", str(CF), check=False).stdout)
        pid = self.work / "sendmail.pid"
        if pid.exists():
            run("kill", pid.read_text().split()[0], check=False)
