"""The services' vocabularies against the classifier's reading of the diagnostic (pure logic: no database).
Whichever decides, both verdicts are kept and the rule is named."""

from campaigns.services.esp.vocab import decide, service_verdict


def verdict_for(service, event, kind="bounced"):
    return service_verdict(service, event, kind)


def test_ses_permanent_general_without_text_stays_undetermined():
    verdict = verdict_for("amazon_ses", {"bounce": {"bounceType": "Permanent", "bounceSubType": "General"}})

    decision = decide(verdict, "", address="a@b.example")

    assert decision.recipient.reason == "undefined" and decision.rule.startswith("service: Permanent/General")


def test_ses_suppressed_is_the_services_own_fact_whatever_the_text_says():
    verdict = verdict_for("amazon_ses", {"bounce": {"bounceType": "Permanent", "bounceSubType": "Suppressed"}})

    decision = decide(verdict, "550 5.1.1 user unknown", address="a@b.example")

    assert decision.recipient.reason == "suppressed" and decision.rule.startswith("service fact")
    assert decision.classifier["reason"] == "userunknown"


def test_when_service_and_classifier_disagree_the_diagnostic_wins_and_both_are_kept():
    verdict = verdict_for("sendgrid", {"event": "bounce", "type": "bounce", "bounce_classification": "Invalid Address"})

    decision = decide(verdict, "552 5.2.2 Mailbox full", address="a@b.example")

    assert decision.recipient.reason == "mailboxfull" and decision.recipient.category == "soft"
    assert decision.service == {"words": "bounce/Invalid Address", "reason": "userunknown", "permanent": True}
    assert decision.rule.startswith("classifier over service")


def test_sparkpost_classes_and_mailgun_reasons_map_onto_our_reasons():
    spark = verdict_for("sparkpost", {"msys": {"message_event": {"type": "bounce", "bounce_class": "22"}}})
    mailgun = verdict_for("mailgun", {"event-data": {"severity": "permanent", "reason": "suppress-bounce"}})
    postmark = verdict_for("postmark", {"Type": "DMARCPolicy"})

    assert (spark.reason, spark.permanent) == ("mailboxfull", False)
    assert (mailgun.reason, mailgun.permanent) == ("suppressed", True)
    assert postmark.reason == "authfailure"


def test_a_service_verdict_stands_when_the_classifier_finds_nothing_specific():
    verdict = verdict_for("sparkpost", {"type": "bounce", "bounce_class": "10"})

    decision = decide(verdict, "Something went wrong", address="a@b.example")

    assert decision.recipient.reason == "userunknown" and decision.recipient.hard
    assert "the classifier found nothing specific" in decision.rule
