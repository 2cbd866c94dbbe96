"""The MTA lab itself (scripts/mta_lab): its pure parts, and one real regeneration (CI).

``test_regenerated_postfix_notices_match_the_committed_truth`` installs Debian's postfix
offline, replays the messages that fail at once (5xx at RCPT and after DATA, the domain that
does not resolve), and compares the regenerated notices' recipients, Action and Status with
the committed truth; the lab purges postfix afterwards, also when the run fails. About a minute,
most of it apt; it needs root and a reachable package source, and skips without them.
"""

import json
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from bounceportal.classifier.score import in_part
from scripts.mta_lab import dnsd, fixtures, system
from scripts.mta_lab.plan import NX_DOMAIN, build_plan, expected_notices, scripted_reply
from scripts.mta_lab.replies import REPLIES, fill, load_replies, pick_replies, smtp_reply
from tests.classifier.mta_scoring import FIXTURES

CI_MTA = "postfix"


@pytest.fixture(scope="module")
def vendor_replies():
    if not REPLIES.is_file():
        pytest.skip(f"vendor replies not found at {REPLIES.resolve()} (expected ../shared/vendor-replies)")
    return load_replies()


def _query(name: str, qtype: int) -> bytes:
    return struct.pack("!HHHHHH", 42, 0x0100, 1, 0, 0, 0) + dnsd._name(name) + struct.pack("!HH", qtype, 1)


def test_lab_dns_answers_nxdomain_for_the_unresolvable_domain():
    reply = dnsd.answer(_query(NX_DOMAIN, dnsd.MX), dnsd.zone())

    qid, flags, _, answers = struct.unpack("!HHHH", reply[:8])

    assert (qid, flags & 0x000F, answers) == (42, 3, 0)


def test_lab_dns_gives_each_lab_domain_an_mx_on_its_own_loopback_address():
    mx = dnsd.answer(_query("b.lab", dnsd.MX), dnsd.zone())
    a = dnsd.answer(_query("mx.b.lab", dnsd.A), dnsd.zone())

    assert struct.unpack("!H", mx[6:8])[0] == 1 and dnsd._name("mx.b.lab") in mx
    assert a.endswith(bytes([127, 0, 0, 3]))


def test_long_replies_are_wrapped_into_smtp_continuation_lines():
    reply = smtp_reply("550", "5.7.1", "word " * 120)

    lines = reply.split("\r\n")

    assert len(lines) > 1 and all(len(line) <= 512 for line in lines)
    assert all(line.startswith("550-5.7.1 ") for line in lines[:-1]) and lines[-1].startswith("550 5.7.1 ")


def test_placeholders_are_filled_and_unknown_ones_disqualify_an_entry():
    assert fill("<recipient>: unknown user, client [ip address]") == "{rcpt}: unknown user, client 127.0.0.1"
    assert fill("blocked because <reason>") is None


def test_scripted_replies_are_the_vendors_documented_texts(vendor_replies):
    by_id = {e["id"]: e for e in vendor_replies}

    plan = build_plan(vendor_replies)

    scripted = [(r, scripted_reply(r)) for m in plan for r in m.recipients if r.entry]
    assert len({reply["vendor_id"] for _, reply in scripted}) >= 20
    for rcpt, reply in scripted:
        entry = by_id[reply["vendor_id"]]
        assert (reply["code"], reply["enhanced"]) == (entry["reply_code"], entry["enhanced_status"])
        expected = fill(entry["text"]).replace("{rcpt}", rcpt.address).replace("{sender}", "bounces@bounce.lab")
        assert reply["text"] == expected


def test_only_replies_of_the_used_part_are_ever_picked():
    entries = [
        {
            "id": f"synthetic-{i}",
            "reply_code": "550",
            "enhanced_status": "5.7.1",
            "text": "Message rejected by policy",
            "stage": "rcpt",
            "labels": {"category": "block", "reason": f"reason{i}"},
        }
        for i in range(12)
    ]
    used = {e["id"] for e in entries if in_part(e["id"], "used")}
    assert 0 < len(used) < len(entries)  # both parts are in the input

    picked = {e["id"] for pool in pick_replies(entries).values() for e in pool}

    assert picked == used


def test_the_plan_scripts_no_set_aside_reply(vendor_replies):
    plan = build_plan(vendor_replies)

    scripted = [r.entry["id"] for m in plan for r in m.recipients if r.entry]

    assert scripted and all(in_part(str(i), "used") for i in scripted)


def test_truth_spreads_hard_soft_and_block_categories_and_both_stages(vendor_replies):
    plan = build_plan(vendor_replies)

    truths = [(r, t) for m in plan for r in m.recipients for t in expected_notices(r)]

    assert {t["category"] for _, t in truths} >= {"hard", "soft", "block", "deferred", "delivered"}
    assert {scripted_reply(r)["stage"] for r, _ in truths if r.entry} == {"rcpt", "after-data"}
    assert {t["notice"] for _, t in truths} == {"failed", "delayed", "expired", "delivered"}


def _skip_unless_lab_can_run():
    if os.geteuid() != 0:
        pytest.skip("the MTA lab installs Debian packages: run as root")
    if not shutil.which("apt-get") or not shutil.which("unshare"):
        pytest.skip("the MTA lab needs apt-get and unshare (Debian)")
    if not (FIXTURES / CI_MTA / "truth.json").is_file():
        pytest.skip(f"no committed {CI_MTA} fixtures to compare with")


def _installed(package: str) -> bool:
    out = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Status}", package], capture_output=True, text=True)
    return out.stdout.strip() not in ("", "not-installed")


@pytest.mark.mta_lab
@pytest.mark.slow
def test_regenerated_postfix_notices_match_the_committed_truth(vendor_replies):
    _skip_unless_lab_can_run()
    from scripts.mta_lab.lab import generate

    committed = json.loads((FIXTURES / CI_MTA / "truth.json").read_text())
    quick = {m.mid for m in build_plan(vendor_replies) if m.quick}
    out = Path(tempfile.mkdtemp(prefix="bp-mta-lab-ci-"))
    try:
        regenerated = generate(CI_MTA, out, quick=True)
    except system.RegistryUnreachable as exc:
        pytest.skip(f"apt cannot reach the package source: {exc}")
    finally:
        shutil.rmtree(out, ignore_errors=True)

    assert regenerated["missing"] == []
    assert fixtures.signature(regenerated["files"], quick) == fixtures.signature(committed["files"], quick)
    assert not _installed(CI_MTA) and not system.record_path(CI_MTA).exists()
    assert not Path("/etc/postfix").exists() and not Path("/etc/aliases").exists()
