"""Real auto-replies from Debian's auto-responders: ``.venv/bin/python -m scripts.mta_lab.autoreplies [--out DIR]``.

Run as root from the repository root. Installs ``dovecot-sieve`` (Pigeonhole, beside the Dovecot the
mailbox tests run) and ``vacation`` offline with the MTA lab's recorder (``system``),
feeds each a campaign message, captures what they hand to sendmail, writes the replies as
``NAME.eml`` plus ``truth.json`` to DIR (default ``tests/fixtures/autoreplies``) and purges both
packages (always, also after a failure; ``purge`` again with ``--purge``). About 15 s.

Nothing is sent: Dovecot's ``sendmail_path`` is a capture script, and ``vacation`` runs in a private
mount namespace whose ``/usr/sbin`` holds only that script.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import system

ROOT = Path(__file__).resolve().parents[2]
NAME = "autoreply"
PACKAGES = ["dovecot-sieve", "vacation"]
USER = "learner"
ADDRESS = "learner@school.example"
TOKEN = "ArLab0000000000000000000001"
CAPTURE = """#!/bin/sh
# Stands in for sendmail: files the message and its arguments, sends nothing.
n=$(ls {out} | wc -l)
printf '%s\\n' "$*" > {out}/$n.args
cat > {out}/$n.eml
"""

# (name, sieve vacation command): English default, localized subjects, a reply from an alias.
SIEVES = [
    ("pigeonhole-default", 'vacation :days 1 "I am away until Monday and will answer then.";'),
    (
        "pigeonhole-german",
        'vacation :days 1 :subject "Abwesenheitsnotiz: ${subject}" '
        '"Ich bin bis zum 3. Januar nicht im B\u00fcro. In dringenden F\u00e4llen wenden Sie sich an das Sekretariat.";',
    ),
    (
        "pigeonhole-french",
        'vacation :days 1 :subject "R\u00e9ponse automatique : ${subject}" '
        '"Je suis absente jusqu\'au 5 janvier. Merci de votre message.";',
    ),
    (
        "pigeonhole-from-alias",
        'vacation :days 1 :from "Learner <learner.alias@school.example>" :addresses ["learner.alias@school.example"] '
        '"On leave this week.";',
    ),
]
VACATION_MESSAGES = [
    (
        "vacation-default",
        'Subject: away from my mail\n\nI am on vacation until the 10th; your mail about "$SUBJECT" will be read then.\n',
    ),
    (
        "vacation-spanish",
        "Subject: Fuera de la oficina\nContent-Type: text/plain; charset=utf-8\n\nEstoy fuera de la oficina hasta el lunes.\n",
    ),
]


def campaign_message(to: str) -> str:
    """The kind of message the portal sends: our Message-ID and envelope sender carry the token."""
    return (
        f"Return-Path: <bounces+{TOKEN}@bounce.example.org>\n"
        "From: Course News <news@portal.example.org>\n"
        f"To: {to}\n"
        "Subject: Your course starts next week\n"
        f"Message-ID: <{TOKEN}@bounce.example.org>\n"
        "Date: Sun, 06 Dec 2026 10:00:00 +0000\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        "Hello, your course starts on Monday.\n"
    )


def _capture_dir(work: Path) -> Path:
    out = work / "captured"
    out.mkdir()
    out.chmod(0o777)
    script = work / "bin" / "sendmail"
    script.parent.mkdir()
    script.write_text(CAPTURE.format(out=out))
    script.chmod(0o755)
    return out


def _collect(out: Path) -> list[str]:
    """Return the captured messages as the bounce mailbox would get them, and empty ``out``.

    Delivery adds what a local MTA adds: ``Return-Path`` from the ``-f`` sender and, when the
    responder wrote none (vacation(1) leaves it to sendmail), ``From:`` the user at the domain.
    """
    texts = []
    for path in sorted(out.glob("*.eml"), key=lambda p: int(p.stem)):
        args = path.with_suffix(".args").read_text().split()
        sender = args[args.index("-f") + 1].strip("<>") if "-f" in args else ""
        text = path.read_text("utf-8", "replace")
        head = text.split("\n\n", 1)[0].lower()
        if sender and "@" not in sender:
            sender = f"{sender}@school.example"
        added = f"Return-Path: <{sender}>\n"
        if not head.startswith("from:") and "\nfrom:" not in head:
            added += f"From: {sender}\n"
        texts.append(added + text)
    for path in out.iterdir():
        path.unlink()
    return texts


def pigeonhole(work: Path, captured: Path) -> dict[str, str]:
    """Run Dovecot's LDA with each sieve script on the campaign message; return name -> reply."""
    home = work / "home"
    home.mkdir()
    shutil.chown(home, "mail", "mail")
    conf = work / "dovecot.conf"
    conf.write_text(
        f"base_dir = {work}/run\nstate_dir = {work}/run/state\nlog_path = /dev/stderr\n"
        f"mail_location = maildir:{home}/Maildir\nfirst_valid_uid = 8\nmail_uid = mail\nmail_gid = mail\n"
        "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
        f"sendmail_path = {work}/bin/sendmail\npostmaster_address = postmaster@school.example\n"
        "hostname = mx.school.example\nrecipient_delimiter = +\n"
        f"userdb {{\n  driver = static\n  args = uid=mail gid=mail home={home}\n}}\n"
        "passdb {\n  driver = static\n  args = nopassword\n}\n"
        "protocol lda {\n  mail_plugins = sieve\n}\n"
        f"plugin {{\n  sieve = file:{home}/sieve;active={home}/active.sieve\n}}\n"
    )
    replies = {}
    for name, command in SIEVES:
        for old in home.glob("*.sieve*"):
            old.unlink()
        shutil.rmtree(home / "sieve", ignore_errors=True)
        script = home / "active.sieve"
        script.write_text(
            'require ["vacation", "variables"];\n'
            'if header :matches "subject" "*" { set "subject" "${1}"; }\n' + command + "\n"
        )
        shutil.chown(script, "mail", "mail")
        subprocess.run(["rm", "-rf", f"{home}/.dovecot.lda-dupes", f"{home}/.dovecot.sieve.log"], check=True)
        for f in home.glob("**/*vacation*"):
            f.unlink()
        to = "learner.alias@school.example" if "alias" in name else ADDRESS
        # As the mail user with HOME set: no auth service to ask (dovecot-lda without -d).
        proc = subprocess.run(
            [
                "setpriv",
                "--reuid=mail",
                "--regid=mail",
                "--clear-groups",
                "/usr/lib/dovecot/dovecot-lda",
                "-c",
                str(conf),
                "-a",
                to,
                "-f",
                f"bounces+{TOKEN}@bounce.example.org",
            ],
            input=campaign_message(to),
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "HOME": str(home), "USER": USER},
        )
        texts = _collect(captured)
        if proc.returncode or len(texts) != 1:
            raise RuntimeError(f"{name}: rc {proc.returncode}, {len(texts)} replies: {proc.stderr[-2000:]}")
        replies[name] = texts[0]
    return replies


def vacation(work: Path, captured: Path) -> dict[str, str]:
    """Run Debian's vacation(1) for a user with each away note; return name -> reply."""
    home = work / "vhome"
    home.mkdir()
    passwd = work / "passwd"
    passwd.write_text(Path("/etc/passwd").read_text() + f"{USER}:x:0:0:Learner:{home}:/bin/sh\n")
    replies = {}
    for name, note in VACATION_MESSAGES:
        for f in home.iterdir():
            f.unlink()
        (home / ".vacation.msg").write_text(note)
        # The user exists only in the namespace's /etc/passwd; its /usr/sbin holds only the capture.
        inner = (
            f"mount --bind {passwd} /etc/passwd && mount --bind {work}/bin /usr/sbin && "
            f"exec vacation -r 0 -j -a {ADDRESS} {USER}"
        )
        proc = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", inner],
            input=campaign_message(ADDRESS),
            capture_output=True,
            text=True,
            env={**os.environ, "HOME": str(home), "USER": USER, "LOGNAME": USER},
        )
        texts = _collect(captured)
        if len(texts) != 1:
            raise RuntimeError(f"{name}: rc {proc.returncode}, {len(texts)} replies: {proc.stdout}{proc.stderr}")
        replies[name] = texts[0]
    return replies


def write(replies: dict[str, str], out: Path, versions: dict[str, str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, text in replies.items():
        (out / f"{name}.eml").write_text(text, "utf-8")
        recipient = "learner.alias@school.example" if "alias" in name else ADDRESS
        # The original's Message-ID where the reply names it (RFC 3834 §3.1.4: In-Reply-To).
        replied_to = f"<{TOKEN}@bounce.example.org>" if "\nIn-Reply-To:" in text else ""
        files[f"{name}.eml"] = {
            "kind": "autoreply",
            "category": "autoreply",
            "recipient": recipient,
            "original_message_id": replied_to,
        }
    truth = {"generator": "scripts/mta_lab/autoreplies.py", "versions": versions, "token": TOKEN, "files": files}
    (out / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.mta_lab.autoreplies")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "autoreplies")
    parser.add_argument("--purge", action="store_true", help="only remove what an interrupted run left")
    args = parser.parse_args(argv)
    if args.purge:
        print("\n".join(system.purge(NAME)))
        return 0
    work = Path(tempfile.mkdtemp(prefix="bp-autoreply-"))
    work.chmod(0o755)
    try:
        record = system.install(NAME, PACKAGES)
        captured = _capture_dir(work)
        replies = {**pigeonhole(work, captured), **vacation(work, captured)}
        write(replies, args.out, record.get("versions", {}))
        print(f"{len(replies)} auto-replies in {args.out}")
    finally:
        system.purge(NAME)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
