"""The command line: files, mbox files, Maildir folders and standard input, as JSON Lines."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOUNCE = (
    b"From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\n"
    b"<a@b.example>:\nRemote host said: 550 5.1.1 <a@b.example>... User unknown\n"
)
MAIL = b"From: friend@example.org\nSubject: hi\n\nhello\n"


def run(*args: str, stdin: bytes = b"") -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "bounceportal.classifier", *args], cwd=ROOT, input=stdin, capture_output=True, check=True
    )
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def explained(*paths: Path) -> str:
    """What ``--explain`` prints for the files."""
    done = subprocess.run(
        [sys.executable, "-m", "bounceportal.classifier", "--explain", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def test_one_json_object_per_file_with_its_path(tmp_path):
    (tmp_path / "a.eml").write_bytes(BOUNCE)
    (tmp_path / "b.eml").write_bytes(MAIL)

    rows = run(str(tmp_path / "a.eml"), str(tmp_path / "b.eml"))

    assert [(Path(r["path"]).name, r["is_bounce"]) for r in rows] == [("a.eml", True), ("b.eml", False)]
    assert rows[0]["recipients"][0]["reason"] == "userunknown"
    assert rows[0]["recipients"][0]["subtype"] == "address_unknown"


def test_maildir_folders_are_read_from_new_and_cur(tmp_path):
    for sub, data in (("new", BOUNCE), ("cur", MAIL), ("tmp", BOUNCE)):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "1.host").write_bytes(data)

    rows = run(str(tmp_path))

    assert [r["is_bounce"] for r in rows] == [True, False]


def test_mbox_files_give_one_object_per_message(tmp_path):
    mbox = (
        b"From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\n"
        + BOUNCE
        + b"\nFrom friend@example.org  Thu Apr 29 23:35:00 2015\n"
        + MAIL
    )
    (tmp_path / "box.mbox").write_bytes(mbox)

    rows = run(str(tmp_path / "box.mbox"))

    assert [r["path"].rsplit("#", 1)[1] for r in rows] == ["1", "2"]
    assert [r["is_bounce"] for r in rows] == [True, False]


def test_dash_reads_standard_input():
    (row,) = run("-", stdin=BOUNCE)

    assert row["path"] == "-" and row["recipients"][0]["address"] == "a@b.example"


def test_unreadable_path_is_reported_not_fatal(tmp_path):
    (row,) = run(str(tmp_path / "missing.eml"))

    assert row["is_bounce"] is False and "error" in row


def test_explain_prints_the_reason_and_the_evidence_readably(tmp_path):
    (tmp_path / "a.eml").write_bytes(BOUNCE)

    text = explained(tmp_path / "a.eml")
    assert "a@b.example: userunknown -> hard" in text
    assert "because status 5.1.1" in text or "because phrase" in text
    assert "user unknown" in text.lower()


def test_explain_says_a_delay_notice_defers_the_send_and_is_no_bounce(tmp_path):
    delay = (
        b"From: MAILER-DAEMON@mx.example.org\nSubject: Delayed Mail (still being retried)\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=BB\n\n--BB\n\ndelayed\n\n--BB\n"
        b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        b"Final-Recipient: rfc822; a@b.example\nAction: delayed\nStatus: 4.4.1\n"
        b"Diagnostic-Code: smtp; 421 4.4.1 connection timed out\n\n--BB--\n"
    )
    (tmp_path / "d.eml").write_bytes(delay)

    assert "d.eml: dsn (delay: the send is deferred, no bounce)" in explained(tmp_path / "d.eml")


def test_every_recipient_carries_the_release_0_2_fields():
    (row,) = run("-", stdin=BOUNCE)

    rec = row["recipients"][0]
    assert {"stage", "sender_side", "filter_product", "blocklist", "evidence"} <= set(rec)
    assert rec["evidence"] and all(set(item) == {"rule", "text"} for item in rec["evidence"])


POISON = (
    b"From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered\nMIME-Version: 1.0\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\n\n'
    b"--BB\nContent-Type: text/plain\n\nfailed\n\n"
    b"--BB\nContent-Type: message/delivery-status; charset=unicode_escape\n\n"
    b"Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\n"
    b"Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown \xe9 \\ud800\n\n--BB--\n"
)


def test_a_file_decoding_to_a_lone_surrogate_is_printed_and_the_next_files_are_read(tmp_path):
    """A declared charset such as unicode_escape decodes to text UTF-8 cannot carry: it is escaped."""
    (tmp_path / "a.eml").write_bytes(POISON)
    (tmp_path / "b.eml").write_bytes(BOUNCE)

    rows = run(str(tmp_path / "a.eml"), str(tmp_path / "b.eml"))
    text = explained(tmp_path / "a.eml", tmp_path / "b.eml")

    assert [Path(r["path"]).name for r in rows] == ["a.eml", "b.eml"]
    assert rows[0]["recipients"][0]["diagnostic"].endswith("\ud800")
    assert "\\ud800" in text and "b.eml: dsn" in text


def bounce_files(folder: Path, count: int) -> list[str]:
    for index in range(count):
        (folder / f"{index:03d}.eml").write_bytes(BOUNCE)
    return [str(folder / f"{index:03d}.eml") for index in range(count)]


def test_every_line_reaches_a_pipe_and_the_exit_status_is_kept(tmp_path):
    """The command leaves without tearing the interpreter down, after flushing both streams:
    nothing buffered is lost, and the exit status is still main's."""
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    paths = bounce_files(tmp_path, 60)
    done = subprocess.run(
        [sys.executable, "-m", "bounceportal.classifier", *paths], cwd=ROOT, env=buffered, capture_output=True
    )
    lines = done.stdout.decode().splitlines()
    assert done.returncode == 0
    assert [Path(json.loads(line)["path"]).name for line in lines] == [Path(p).name for p in paths]

    helped = subprocess.run(
        [sys.executable, "-m", "bounceportal.classifier"], cwd=ROOT, env=buffered, capture_output=True
    )
    assert helped.returncode == 2
    assert helped.stderr.decode().strip().endswith("Exit status is 0 unless no PATH was given.")


def test_output_closed_early_is_an_error_not_a_silent_success(tmp_path):
    paths = bounce_files(tmp_path, 400)
    with subprocess.Popen(
        [sys.executable, "-m", "bounceportal.classifier", *paths],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as child:
        assert child.stdout is not None
        child.stdout.read(10)
        child.stdout.close()
        assert child.wait(timeout=60) != 0
