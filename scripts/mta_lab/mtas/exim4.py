"""Exim 4 (exim4-daemon-light): a full config of our own in /etc/exim4/exim4.conf.

Debian's binary reads /etc/exim4/exim4.conf before the generated split config, so the lab's
file replaces Debian's without running update-exim4.conf. Notices go to an appendfile maildir.
"""

from __future__ import annotations

from pathlib import Path

from . import Mta, run

CONF = Path("/etc/exim4/exim4.conf")

TEMPLATE = """\
primary_hostname = mta.lab
domainlist local_domains = bounce.lab
hostlist relay_from_hosts = 127.0.0.0/8
local_interfaces = 127.0.0.1
daemon_smtp_ports = 25
disable_ipv6 = true
acl_smtp_rcpt = acl_check_rcpt
dsn_advertise_hosts = *
delay_warning = {delay_warning}
timeout_frozen_after = 20m
ignore_bounce_errors_after = 10m
log_file_path = {work}/exim-%slog
spool_directory = /var/spool/exim4
tls_advertise_hosts =

begin acl
acl_check_rcpt:
  accept hosts = +relay_from_hosts
  accept domains = +local_domains
  deny message = relay not permitted

begin routers
bounces:
  driver = accept
  domains = +local_domains
  transport = lab_maildir
remote:
  driver = dnslookup
  domains = ! +local_domains
  transport = remote_smtp
  self = send
  no_more

begin transports
remote_smtp:
  driver = smtp
  connect_timeout = 5s
  hosts_try_chunking =
  hosts_try_fastopen =
lab_maildir:
  driver = appendfile
  directory = {maildir}
  maildir_format
  delivery_date_add
  envelope_to_add
  return_path_add
  user = mail
  group = mail
  mode = 0644

begin retry
*  *  {retry}

begin rewrite
"""


class Exim4(Mta):
    name = "exim4"
    packages = ["exim4-daemon-light"]
    settings = {"delay_warning": "2m:1h", "retry": "F,8m,1m", "queue_runner": "-q30s"}

    def configure(self) -> None:
        self.prepare_maildir()
        CONF.write_text(
            TEMPLATE.format(
                delay_warning=self.settings["delay_warning"],
                work=self.work,
                maildir=self.maildir,
                retry=self.settings["retry"],
            )
        )
        CONF.chmod(0o644)
        run("chmod", "a+w", str(self.work))  # exim writes its logs there as Debian-exim
        run("exim4", "-bV")  # fails loudly on a config error

    def start(self) -> None:
        run("exim4", "-bd", self.settings["queue_runner"])

    def stop(self) -> None:
        pid = Path("/run/exim4/exim.pid")
        if pid.exists():
            run("kill", pid.read_text().strip(), check=False)
