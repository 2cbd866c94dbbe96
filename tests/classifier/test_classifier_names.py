"""Naming who refused the mail: products, providers and blocklists from their documented reply shapes.

The replies and host names are the ones ``shared/sending-configurations.md`` quotes per
product (its Sources keys are in the rule labels); ``[ip]`` placeholders filled in.
"""

import pytest

from bounceportal.classifier import classify, classify_smtp_reply
from bounceportal.classifier.names import BLOCKLISTS, PRODUCTS, RULES, slug_of
from tests.classifier.messages import dsn, group

IP = "192.0.2.7"

# (reply text, product named, blocklist named): the signatures of §1 and §4.
DOCUMENTED_REPLIES = [
    (f"5.7.606 Access denied, banned sending IP [{IP}]", "Microsoft 365 / Exchange Online", "Microsoft block list"),
    ("5.7.511 Access denied, banned sender", "Microsoft 365 / Exchange Online", "Microsoft block list"),
    (
        "5.7.513 Service unavailable, Client host rejected using Customer Block list",
        "Microsoft 365 / Exchange Online",
        "",
    ),
    (
        "5.7.509 Access denied, sending domain example.org does not pass DMARC verification",
        "Microsoft 365 / Exchange Online",
        "",
    ),
    (
        f"5.7.1 Unfortunately, messages from [{IP}] weren't sent. part of their network is on our block list (S3150)",
        "Outlook.com",
        "Microsoft block list",
    ),
    (
        "5.7.515 Access denied, sending domain example.org does not meet the required authentication level",
        "Outlook.com",
        "",
    ),
    ("4.7.650 The mail server [192.0.2.7] has been temporarily rate limited due to IP reputation", "Outlook.com", ""),
    (
        "5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy - gsmtp",
        "Google Workspace / Gmail",
        "",
    ),
    (
        "4.7.28 Our system has detected an unusual rate https://support.google.com/mail/?p=UnsolicitedRateLimitError",
        "Google Workspace / Gmail",
        "",
    ),
    (f"5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip={IP}", "Proofpoint", "Proofpoint PDR"),
    (
        f"5.7.1 Mail from {IP} refused by Proofpoint Reputation Services, see https://support.proofpoint.com/dnsbl-lookup.cgi?ip={IP}",
        "Proofpoint",
        "Proofpoint PDR",
    ),
    (
        "5.7.1 Rejected by header based Anti-Spoofing policy - https://community.mimecast.com/docs/DOC-1369#550",
        "Mimecast",
        "",
    ),
    ("5.7.1 Envelope blocked - User Entry - https://community.mimecast.com/docs/DOC-1369#550", "Mimecast", ""),
    (f"5.7.1 [{IP}] csi.mimecast.org Poor Reputation Sender", "Mimecast", ""),
    (
        f"5.7.1 Service unavailable; Client host [{IP}] is in a black list at b.barracudacentral.org",
        "Barracuda",
        "Barracuda BRBL",
    ),
    (
        f"5.7.1 JunkMail rejected - mx.example.org [{IP}] is in an RBL: http://www.barracudanetworks.com/reputation/?pr=1&ip={IP}",
        "Barracuda",
        "Barracuda BRBL",
    ),
    (
        "5.7.1 Your message was rejected. SBRS score too low: http://www.senderbase.org/",
        "Cisco Secure Email",
        "Cisco Talos",
    ),
    (
        f"5.7.1 Client host [{IP}] is blacklisted. Visit https://www.sophos.com/en-us/threat-center/ip-lookup.aspx?ip={IP}",
        "Sophos Email",
        "",
    ),
    (
        f"5.7.1 Connection from {IP} has been blocked by Trend Micro Email Reputation Service",
        "Trend Micro Email Security",
        "Trend Micro ERS",
    ),
    (
        f"5.7.1 Service unavailable; client [{IP}] blocked using Trend Micro RBL+",
        "Trend Micro Email Security",
        "Trend Micro ERS",
    ),
    (
        "5.0.0 Connection rejected by policy [7.7] 12345, please visit www.messagelabs.com",
        "Symantec Email Security.cloud",
        "",
    ),
    (
        "4.7.0 [TSS04] Messages from 192.0.2.7 temporarily deferred due to unexpected volume or user complaints",
        "Yahoo / AOL",
        "",
    ),
    (f"5.7.1 Service unavailable; Client host [{IP}] blocked using zen.spamhaus.org", "", "Spamhaus ZEN"),
    (
        f"5.7.1 Client host [{IP}] blocked using sbl.spamhaus.org; https://www.spamhaus.org/sbl/query/SBL1",
        "",
        "Spamhaus SBL",
    ),
    (f"5.7.1 [{IP}] listed at zen.spamhaus.org (127.0.0.11) see https://www.spamhaus.org/pbl/", "", "Spamhaus PBL"),
    (f"5.7.1 [{IP}] blocked using zen.spamhaus.org: 127.0.0.4", "", "Spamhaus XBL"),
    ("5.7.1 Sender domain listed in dbl.spamhaus.org", "", "Spamhaus DBL"),
    (f"5.7.1 Blocked - see https://www.spamcop.net/bl.shtml?{IP}", "", "SpamCop"),
    (f"5.7.1 Client host [{IP}] blocked using dnsbl.sorbs.net", "", "SORBS"),
    (f"5.7.1 Client host [{IP}] blocked using dnsbl-1.uceprotect.net", "", "UCEPROTECT"),
    (f"5.7.1 {IP} is listed on ivmSIP, see the Invaluement delist page", "", "Invaluement"),
    ("5.7.1 Client host blocked. Ref http://csi.cloudmark.com/reset-request", "", "Cloudmark CSI"),
]


@pytest.mark.parametrize("text, product, blocklist", DOCUMENTED_REPLIES)
def test_a_documented_reply_names_its_product_and_list(text, product, blocklist):
    rec = classify_smtp_reply(550 if text[0] == "5" else 421, text, command="RCPT")

    assert (rec.filter_product, rec.blocklist) == (product, blocklist)
    named = [item for item in rec.evidence if item["rule"].startswith(("product ", "blocklist "))]
    assert len(named) == bool(product) + bool(blocklist)
    assert all(item["text"] and item["text"] in " ".join(text.lower().split()) for item in named)


# (remote MTA host, product): §1's host patterns, as a DSN's Remote-MTA names them.
DOCUMENTED_HOSTS = [
    ("example-org.mail.protection.outlook.com", "Microsoft 365 / Exchange Online"),
    ("eur.olc.protection.outlook.com", "Outlook.com"),
    ("aspmx.l.google.com", "Google Workspace / Gmail"),
    ("mx0a-00123401.pphosted.com", "Proofpoint"),
    ("mx1-us1.ppe-hosted.com", "Proofpoint Essentials"),
    ("us-smtp-inbound-1.mimecast.com", "Mimecast"),
    ("d174024a.ess.barracudanetworks.com", "Barracuda"),
    ("esa1.hgst.iphmx.com", "Cisco Secure Email"),
    ("mx-01-eu-west-1.prod.hydra.sophos.com", "Sophos Email"),
    ("example.in.tmes.trendmicro.com", "Trend Micro Email Security"),
    ("cluster1.eu.messagelabs.com", "Symantec Email Security.cloud"),
    ("cluster-b.mailcontrol.com", "Forcepoint Email Security"),
    ("mx01.hornetsecurity.com", "Hornetsecurity"),
    ("mx-eu.mail.am0.yahoodns.net", "Yahoo / AOL"),
]


@pytest.mark.parametrize("host, product", DOCUMENTED_HOSTS)
def test_the_remote_host_names_the_product_when_the_reply_does_not(host, product):
    raw = dsn(group("a@b.example", "failed", "5.7.1", "smtp; 550 5.7.1 Message rejected", remote=host))

    rec = classify(raw).recipients[0]

    assert rec.filter_product == product
    assert any(
        item["rule"].startswith(f"product {product}: remote host") and item["text"] == host for item in rec.evidence
    )


def test_a_host_quoted_in_the_reply_is_the_remote_host():
    rec = classify_smtp_reply(550, "host mx0b-0011.pphosted.com[192.0.2.9] said: 550 5.7.1 Message rejected")

    assert rec.filter_product == "Proofpoint"


def test_the_host_tells_outlook_com_from_microsoft_365_where_their_codes_agree():
    text = "outlook-com.olc.protection.outlook.com [52.0.0.1] did not like our DATA: 550 5.7.509 Access denied"

    assert classify_smtp_reply(550, text).filter_product == "Outlook.com"


def test_the_reporting_mta_names_the_gateway_that_refused_after_accepting():
    raw = dsn(
        group("a@b.example", "failed", "5.7.1", "smtp; 550 5.7.1 Message content rejected"),
        reporting="mx1-us1.ppe-hosted.com",
    )

    rec = classify(raw).recipients[0]

    assert rec.filter_product == "Proofpoint Essentials"
    assert any("reporting MTA" in item["rule"] for item in rec.evidence)


def test_the_reporting_mta_is_our_relay_when_a_remote_host_answered():
    raw = dsn(
        group("a@b.example", "failed", "5.1.1", "smtp; 550 5.1.1 User unknown", remote="mx.b.example"),
        reporting="mail-relay.prod.outlook.com",
    )

    assert classify(raw).recipients[0].filter_product == ""


def test_the_returned_messages_last_hop_is_a_header_trace():
    original = (
        "Received: from mx0a-0042.pphosted.com (mx0a-0042.pphosted.com [192.0.2.1]) by mail.b.example\n"
        "Received: from out.example.org by mx0a-0042.pphosted.com\n"
        "Message-ID: <x@example.org>\nTo: a@b.example\n"
    )
    raw = dsn(group("a@b.example", "failed", "5.7.1", "smtp; 550 5.7.1 Rejected by policy"), original=original)

    rec = classify(raw).recipients[0]

    assert rec.filter_product == "Proofpoint"
    assert any("Received: trace" in item["rule"] for item in rec.evidence)


def test_a_plain_refusal_names_nobody():
    rec = classify_smtp_reply(550, "5.1.1 <a@b.example>: Recipient address rejected: User unknown", command="RCPT")

    assert (rec.filter_product, rec.blocklist) == ("", "")


def test_naming_never_changes_the_reason():
    plain = classify_smtp_reply(550, "5.7.1 Message rejected", command="RCPT")
    named = classify_smtp_reply(550, "5.7.1 Message rejected (Sophos)", command="RCPT")

    assert (named.reason, named.category, named.sender_side) == (plain.reason, plain.category, plain.sender_side)


def test_every_rule_names_a_known_kind_and_says_its_source():
    for rule in RULES:
        assert rule.kind in ("product", "blocklist") and rule.source
        assert len(rule.label) <= 120


def test_every_product_and_list_of_the_issue_has_a_guidance_slug():
    issue = [
        "Microsoft 365 / Exchange Online", "Google Workspace / Gmail", "Proofpoint", "Proofpoint Essentials",
        "Mimecast", "Barracuda", "Cisco Secure Email", "Sophos Email", "Trend Micro Email Security",
        "Symantec Email Security.cloud", "Forcepoint Email Security", "FortiMail", "Hornetsecurity",
        "Yahoo / AOL", "Apple iCloud", "Spamhaus ZEN", "Spamhaus SBL", "Spamhaus XBL", "Spamhaus PBL",
        "Spamhaus DBL", "Barracuda BRBL", "SpamCop", "SORBS", "UCEPROTECT", "Invaluement", "Cloudmark CSI",
        "Microsoft block list",
    ]  # fmt: skip

    assert all(slug_of(name) for name in issue)
    assert len({slug for slug, _ in PRODUCTS.values()} | set(BLOCKLISTS.values())) == len(PRODUCTS) + len(BLOCKLISTS)
