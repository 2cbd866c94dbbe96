"""Postfix: relays by MX, writes notices to a ``virtual`` Maildir for the bounce domain."""

from __future__ import annotations

from pathlib import Path

from . import Mta, run


class Postfix(Mta):
    name = "postfix"
    packages = ["postfix"]
    settings = {"delay_warning_time": "2m", "maximal_queue_lifetime": "9m", "queue_run_delay": "30s"}

    def configure(self) -> None:
        self.prepare_maildir()
        main = {
            "compatibility_level": "3.6",
            "myhostname": "mta.lab",
            "mydomain": "lab",
            "myorigin": "mta.lab",
            "mydestination": "",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "relayhost": "",
            "alias_maps": "",
            "alias_database": "",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "smtputf8_enable": "no",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "virtual_mailbox_domains": "bounce.lab",
            "virtual_mailbox_base": str(self.work / "mail"),
            "virtual_mailbox_maps": "static:bounces/",
            "virtual_uid_maps": "static:8",
            "virtual_gid_maps": "static:8",
            "virtual_minimum_uid": "8",
            "minimal_backoff_time": "30s",
            "maximal_backoff_time": "60s",
            "bounce_queue_lifetime": self.settings["maximal_queue_lifetime"],
            "smtp_connect_timeout": "5s",
            "maillog_file": str(self.work / "postfix.log"),
            **self.settings,
        }
        Path("/etc/postfix/main.cf").write_text("".join(f"{k} = {v}\n" for k, v in main.items()))
        # The lab starts Postfix with `postfix start`, not the init script that fills the chroot.
        run("postconf", "-F", "*/*/chroot = n")

    def start(self) -> None:
        run("postfix", "start")

    def kick(self) -> None:
        run("postqueue", "-f", check=False)

    def stop(self) -> None:
        run("postfix", "stop", check=False)
