"""OpenSMTPD 6.8: relays by MX; notices for the bounce domain go to a maildir action.

Its scheduler backs off quickly past the lab's short queue times, so the lab runs
``smtpctl schedule all`` every 30 s (RECIPES.md).
"""

from __future__ import annotations

from pathlib import Path

from . import Mta, run

CONF = Path("/etc/smtpd.conf")

TEMPLATE = """\
queue ttl {ttl}
bounce warn-interval {warn}
listen on lo port 25 hostname mta.lab
table vusers file:{work}/vusers
action "bounces" maildir "{maildir}" virtual <vusers>
action "relay" relay helo mta.lab
match from any for domain "bounce.lab" action "bounces"
match from local for any action "relay"
"""


class OpenSmtpd(Mta):
    name = "opensmtpd"
    packages = ["opensmtpd"]
    settings = {"queue ttl": "8m", "bounce warn-interval": "2m", "schedule all": "every 30 s"}

    def configure(self) -> None:
        self.prepare_maildir()
        (self.work / "vusers").write_text("@bounce.lab mail\n")
        CONF.write_text(
            TEMPLATE.format(
                ttl=self.settings["queue ttl"],
                warn=self.settings["bounce warn-interval"],
                work=self.work,
                maildir=self.maildir,
            )
        )
        run("smtpd", "-n", "-f", str(CONF))

    def start(self) -> None:
        run("smtpd", "-f", str(CONF))

    def kick(self) -> None:
        run("smtpctl", "schedule", "all", check=False)

    def stop(self) -> None:
        run("smtpctl", "stop", check=False)
