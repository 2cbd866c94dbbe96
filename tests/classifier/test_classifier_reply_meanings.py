"""SMTP replies read by what their codes and words mean, in wordings written here (issue #12).

Each reply below is written for this test from a documented meaning: RFC 3207 (STARTTLS),
RFC 7672 (DANE), RFC 8461 (MTA-STS), RFC 3463 (enhanced status codes), RFC 4406 (Sender ID),
Microsoft's Exchange Online NDR reference and ``../shared/sending-configurations.md``. None is
copied from ``../shared/vendor-replies``. A rule that reads one of these must read its siblings.
"""

import pytest

from bounceportal.classifier import classify_smtp_reply
from bounceportal.classifier.taxonomy import HARD_REASONS
from tests.classifier.replies import category_of, read

# A receiver that demands TLS our client did not use refuses our configuration: a Mail block
# (DESIGN §2: "Sender configuration (SPF, DKIM, DMARC, PTR, TLS)").
TLS_DEMANDED = [
    ("530", "5.7.0", "", "Must issue a STARTTLS command first"),
    ("530", "", "mail", "Please use STARTTLS before sending mail"),
    ("550", "5.7.10", "", "Encryption needed: TLS is required for this domain"),
    ("421", "4.7.0", "rcpt", "TLS is required for this recipient domain, closing connection"),
    ("554", "5.7.0", "", "Cleartext sessions are not accepted; use STARTTLS"),
]


@pytest.mark.parametrize(("code", "status", "stage", "text"), TLS_DEMANDED)
def test_a_receiver_demanding_tls_we_did_not_use_is_a_block_of_our_configuration(code, status, stage, text):
    got = read(code, status, text, stage)

    assert got.reason == "failedstarttls", got.evidence
    assert category_of(got) == "block"
    assert got.sender_side is True


# The destination's own TLS could not be set up or verified: its certificate, its TLSA records
# (DANE: the sender defers, RFC 7672 §2.2), its MTA-STS policy (RFC 8461 §5), its handshake,
# or its own TLS stack. Nothing of ours is wrong: a server failure there, soft, retried.
DESTINATION_TLS = [
    ("", "4.7.322", "certificate-expired: The receiving server presented an expired certificate"),
    ("", "5.7.323", "tlsa-invalid: TLSA records of the destination did not match"),
    ("", "4.7.324", "dnssec-invalid: The destination's DNSSEC records failed validation"),
    ("", "5.7.321", "starttls-not-supported: The destination does not offer STARTTLS"),
    ("", "4.7.325", "certificate-host-mismatch: the name on the destination certificate does not match"),
    ("451", "4.7.5", "TLS handshake with mx.example.net failed: certificate verify failed"),
    ("", "4.7.5", "MTA-STS policy for example.net requires TLS and the MX certificate could not be validated"),
    ("", "4.7.5", "DANE verification of the destination's TLSA records failed"),
    ("454", "4.7.0", "TLS not available due to local problem"),
    ("451", "4.7.5", "Server certificate not trusted"),
    ("", "4.7.5", "MX host mx.example.net does not match any MTA-STS policy mx pattern"),
]


@pytest.mark.parametrize(("code", "status", "text"), DESTINATION_TLS)
def test_a_destination_whose_own_tls_cannot_be_verified_is_a_soft_bounce_on_its_side(code, status, text):
    got = read(code, status, text)

    assert got.reason == "systemerror", got.evidence
    assert category_of(got) == "soft" and not got.hard
    assert got.sender_side is False


# (reply code, enhanced status, stage, text, accepted reasons)
MEANINGS = [
    # A quota refused under a security or policy status (X.7.y) is a limit set on us; a full
    # mailbox is X.2.2 (RFC 3463).
    ("550", "5.7.1", "", "Email quota exceeded", "speeding"),
    ("550", "5.7.0", "", "Quota exceeded for this sender, try tomorrow", "speeding"),
    ("552", "5.2.2", "rcpt", "Quota exceeded", "mailboxfull"),
    # Exchange's store driver names the sender's submission limit as an exception.
    ("", "5.2.0", "", "STOREDRV.Submission.Exception:SubmissionQuotaExceededException", "speeding"),
    # Recipients counted over time are a sending rate; too many in one message is X.5.3.
    ("452", "", "", "Too many recipients received this hour", "speeding"),
    ("452", "4.5.3", "rcpt", "Too many recipients", "toomanyconn"),
    # An organization that restricts who may send to a recipient refuses the sender.
    (
        "550",
        "5.7.1",
        "",
        "Your message can't be delivered because the recipient's organization restricts who can send to it",
        "rejected",
    ),
    # Exchange Online 5.7.900-999: a mail flow (transport) rule's own code.
    ("550", "5.7.901", "", "Delivery not authorized, message refused by a transport rule", "policyviolation"),
    ("550", "5.7.999", "", "Refused by the organization's mail flow rules", "policyviolation"),
    # Sender ID (RFC 4406) checks the Purported Responsible Address: an authentication failure.
    ("550", "5.7.1", "", "Sender ID (PRA) Not Permitted", "authfailure"),
    ("550", "", "", "Sender Spoof Protection: message blocked", "authfailure"),
    # The sender itself on a deny list is a refusal of the sender, not of our host.
    ("554", "5.7.1", "", "This message was blocked because the sender is on a deny list", "rejected"),
    # A domain list that names our sender's domain refuses the sender.
    ("550", "", "", "Sender domain example.org listed at dbl.spamhaus.org", "rejected"),
    # Exim's "recipient verify failed": the address did not route (at RCPT, a hard bounce).
    ("550", "", "rcpt", "Recipient verify failed", "userunknown"),
    ("550", "", "mail", "Sender verify failed", "rejected"),
    # X.7.0 with nothing more said is the security-or-policy subject's own default (a block),
    # as X.3.0-X.6.0 are their subjects' defaults (RFC 3463 §3: detail 0 is "undefined").
    ("421", "4.7.0", "", "Try again later, closing connection.", "blocked"),
    # RFC 3463 X.3.2: the receiving system is not accepting messages for now (soft), unless
    # the reply says the host takes no mail at all (RFC 7504's 521).
    ("550", "5.3.2", "", "System not accepting network messages", "systemerror"),
    ("451", "4.3.2", "", "System not accepting network messages", "systemerror"),
    ("521", "5.3.2", "", "System not accepting network messages", "notaccept"),
    # A provider's documented code for a refused recipient is its verdict at any stage
    # (Exchange Online's 5.7.505 "banned recipient"), not an uncorroborated "no such user".
    ("550", "5.7.505", "", "Access denied, banned recipient", "userunknown"),
    # sendmail's "Possibly forged hostname": the client's name does not map back to it (PTR).
    ("451", "4.1.8", "", "Possibly forged hostname for 192.0.2.1", "requireptr"),
    # The words alone, as documentation quotes them without the status: the cause they name
    # wins over what else they mention (a From: header cited by RFC 5322 in an alignment
    # failure, the DKIM domain an unusual rate came from).
    (
        "",
        "",
        "",
        "The From: header (RFC5322) isn't aligned with either the authenticated SPF or DKIM domain.",
        "authfailure",
    ),
    ("", "", "", "An unusual rate of unsolicited mail originating from your DKIM domain.", "badreputation"),
    ("", "", "data", "Your message exceeded our message header size limits.", "exceedlimit"),
    ("", "", "data", "The header value exceeds our limit of 2000 bytes per individual header.", "exceedlimit"),
    ("", "", "", "The sender exceeded the quota for sending messages with the same Message-ID.", "speeding"),
    ("", "", "rcpt", "The recipient address r@@example.net is not a valid RFC 5321 address.", "userunknown"),
    ("", "", "", "Connection dropped", "networkerror"),
    ("", "", "", "RCPT first. A protocol command was issued out of sequence.", "syntaxerror"),
    ("", "", "", "EHLO/HELO first.", "syntaxerror"),
    ("", "", "", "No DATA after BDAT", "syntaxerror"),
    ("", "", "mail", "The sender address s@@example.org is not a valid RFC 5321 address.", "rejected"),
    ("", "", "", "Access denied, bad outbound sender", "rejected"),
    # Refusing a way of sending (over IPv6) is no "domain accepts no mail".
    (
        "550",
        "",
        "",
        "Access denied, example.org does not accept email over IPv6",
        "policyviolation blocked securityerror",
    ),
    # Quoted without a code, "try again later" is the receiver declining for now.
    ("", "", "", "Try again later", "systemerror"),
    ("", "", "", "Internal resource is temporarily unavailable", "systemerror"),
    ("", "", "", "busy--Please try again later", "systemerror"),
    ("", "", "", "Unable to process your connection at this time", "systemerror"),
    # The content itself refused as invalid.
    ("", "5.5.6", "", "Invalid message content", "contenterror"),
]


# Documentation writes the connecting IP, the address or the user as a placeholder: "{IP}",
# "<EMAIL>", "{user}". The reading is the one of the same reply with a real value.
# (reply code, enhanced status, stage, text, accepted reasons)
PLACEHOLDERS = [
    ("550", "", "", "Mail from {IP} refused", "blocked"),
    ("550", "", "", "Mail from 192.0.2.1 refused", "blocked"),
    ("550", "", "rcpt", "User {user} not found", "userunknown"),
    ("550", "", "rcpt", "User <r@example.org> not found", "userunknown"),
    ("550", "", "", "Sender <s@example.org> rejected", "rejected"),
    ("550", "5.7.1", "mail", "Sender $SenderAddress is blocked", "rejected"),
    ("550", "5.7.1", "mail", "Sender s@example.org is blocked", "rejected"),
    # The connecting address described as hostile or dynamic is a block of our host.
    ("550", "", "", "Hostile IP address detected", "blocked"),
    ("550", "5.7.1", "", "Mail from dynamic IP ranges is not accepted", "blocked"),
    # A domain that declares it takes no mail, or has no mail exchanger (RFC 7505: notaccept).
    ("550", "", "", "This domain does not receive email", "notaccept"),
    ("550", "", "", "The recipient domain has no MX records", "notaccept"),
    # The recipient's own allow / block list: a filter of that mailbox.
    ("550", "5.7.1", "", "Blocked by the recipient's allow/block list", "filtered"),
    ("550", "", "", "Message blocked by the recipient's administrator", "filtered"),
    # A switched-off account however the state is qualified ("temporarily", "expired").
    ("550", "", "rcpt", "This account has been temporarily suspended", "suspend"),
    ("550", "", "rcpt", "The mailbox is not active", "suspend"),
    ("550", "", "rcpt", "Account expired", "suspend"),
    # Our sender's domain that does not resolve.
    ("554", "", "", "Sender domain not resolvable", "rejected"),
    # Spam reports about us are a reputation verdict; forbidden words are the content's policy.
    ("554", "", "", "Message rejected: too many spam reports from your domain", "badreputation"),
    ("554", "", "data", "Your email was rejected because it contains a forbidden word", "policyviolation"),
]


# Families read by their documented meaning (Gmail's and Yahoo's sender requirements, Exchange's
# STOREDRV limits, Postfix / Exim / cPanel built-in replies), in wordings written here.
# (reply code, enhanced status, stage, text, accepted reasons)
DOCUMENTED_FAMILIES = [
    # A content or link verdict, however the provider words the suspicion.
    (
        "421",
        "4.7.0",
        "data",
        "This message is suspicious due to the nature of the content or the links within.",
        "spamdetected",
    ),
    ("550", "5.7.1", "", "Message blocked: suspicious because of the links it contains", "spamdetected"),
    # "The sender is unauthenticated" (Gmail 5.7.26, Yahoo 5.7.9): neither SPF nor DKIM passed.
    ("550", "5.7.1", "", "This mail has been blocked because the sender is unauthenticated.", "authfailure"),
    ("550", "5.7.9", "", "Blocked: the sender is unauthenticated. Authenticate with SPF or DKIM.", "authfailure"),
    # A live reply that the session timed out or the host was not reached: no queue ran out yet.
    ("421", "4.4.2", "", "mx.example.net Error: timeout exceeded", "networkerror"),
    ("451", "4.4.1", "", "Connection timed out, try again later", "networkerror"),
    ("451", "4.4.0", "", "Primary target IP address responded with: 421 4.2.1 Unable to connect.", "networkerror"),
    # ... while a queue that gave up still says so.
    ("451", "4.4.7", "", "Message expired, could not connect to the destination", "expired"),
    # Bare line feeds break RFC 5322 line endings (Postfix, Exchange's BareLinefeedsAreIllegal).
    ("554", "5.5.0", "data", "Error: bare <LF> received", "notcompliantrfc"),
    # A protocol error under "Client host rejected" is our client's, not its host name's.
    ("503", "5.5.0", "rcpt", "Client host rejected: Improper use of SMTP command pipelining", "syntaxerror"),
    # A hosting provider's hourly or daily cap on what we send.
    (
        "550",
        "",
        "",
        "The domain example.org has exceeded the max emails per hour (100/100 (100%)) allowed.",
        "speeding",
    ),
    ("550", "", "", "Limit of 500 messages per day reached for this account", "speeding"),
    # A submission server asking for SMTP AUTH.
    ("550", "", "rcpt", "Please turn on SMTP Authentication in your mail client.", "securityerror norelaying"),
    # A site's own rule ("administratively denied") is a policy, not a block list.
    ("550", "", "", "Sorry, your mail was administratively denied", "policyviolation"),
    # "Black listed" in two words is still a listed IP; a busy system is the receiver's trouble.
    ("554", "", "connect", "Service not available: IP address is black listed", "blocked"),
    ("550", "", "", "System busy, please try again later", "systemerror"),
    # The recipient's storage, said of this one message.
    ("452", "", "rcpt", "Message for r@example.net would exceed mailbox quota", "mailboxfull"),
    # RFC 5322 §3.6 header rules said without naming the RFC (Gmail's sender guidelines).
    ("550", "5.7.1", "data", "Messages having no Date: header are not accepted.", "notcompliantrfc"),
    ("550", "5.7.1", "data", "Messages with multiple addresses in To: header are not accepted.", "notcompliantrfc"),
    ("550", "5.7.1", "", "Messages missing a valid address in From: header are not accepted.", "notcompliantrfc"),
    ("550", "", "data", "Message contains invalid header", "notcompliantrfc"),
    ("550", "", "data", "Illegal character in headers", "notcompliantrfc"),
    # An SPF / DKIM check that could not complete for now is a DNS failure, not a verdict (RFC 7208 §2.6.6).
    ("450", "4.7.1", "", "SPF temporary error: DNS timeout", "networkerror"),
    ("421", "4.7.0", "", "Temporary deferral: DKIM key lookup failed", "networkerror"),
    # The recipient's own preferences or privacy settings: a filter of that mailbox.
    ("550", "5.7.1", "", "The recipient's privacy settings prevent messages from being delivered.", "filtered"),
    ("550", "5.7.1", "", "The attempted recipient's preferences prevent messages from being delivered.", "filtered"),
    # Our host refused for good, a link refused, a behaviour judged, policies broken.
    ("550", "5.7.1", "", "We will no longer accept mail from your mail server's IP address.", "blocked"),
    ("550", "5.7.1", "", "The message contains a url that has been blocked.", "spamdetected"),
    ("421", "4.7.1", "", "The IP connecting to us has exhibited behavior suspicious of spam.", "badreputation"),
    ("550", "5.7.1", "", "The message does not comply with our abuse policies.", "policyviolation"),
    # A receiver's sender-authentication requirements are SPF / DKIM / DMARC.
    ("550", "5.7.1", "", "The message does not comply with our Domain Authentication requirements.", "authfailure"),
    # An executable in the message is an attachment block.
    ("550", "5.7.1", "data", "The message was blocked because it contains an executable file.", "virusdetected"),
    # Gmail's "account that you tried to reach is inactive": switched off, whatever follows.
    (
        "550",
        "5.2.1",
        "rcpt",
        "The email account that you tried to reach is inactive and not accepting mail.",
        "suspend",
    ),
    # Who may post to a group, or send to a restricted recipient, refuses the sender.
    ("550", "5.7.1", "", "You may not have permission to post messages to the group.", "rejected"),
    (
        "550",
        "5.7.1",
        "",
        "Messages to r@example.net require sender authentication, but the sender hasn't been authenticated.",
        "rejected",
    ),
    # A mailbox switched off for lack of use, even when said as "blocked".
    ("550", "5.2.1", "rcpt", "This mailbox has been blocked due to inactivity", "suspend"),
    # Groups and organizations that take mail from members or insiders only refuse the sender.
    ("550", "5.7.1", "", "The sender isn't authorized to send messages to this group.", "rejected"),
    ("550", "5.7.1", "", "Messages to this group are restricted to members.", "rejected"),
    ("550", "5.7.1", "", "Only members can post to this group.", "rejected"),
    (
        "550",
        "5.7.1",
        "",
        "The recipient's organization doesn't accept messages from outside the organization.",
        "rejected",
    ),
    # Exchange's NDR wording for an address not found.
    ("550", "5.1.10", "rcpt", "The email address wasn't found at the destination domain.", "userunknown"),
    # Our own account barred from sending (outbound abuse) is a refusal of the sender.
    ("550", "5.7.1", "", "The user has been blocked from sending messages because of outbound spam.", "rejected"),
    ("554", "", "", "Message rejected: Sending paused for this account.", "rejected"),
    # Mail refused for coming from our sender's domain refuses the sender, not our host.
    ("550", "5.7.1", "", "Recipient does not accept mail from your domain", "rejected"),
    # Attachments refused, however the refusal is phrased.
    ("550", "5.7.1", "", "The recipient's mailbox does not accept attachments of this type", "virusdetected"),
    ("550", "5.7.1", "data", "We don't allow messages with attachments", "virusdetected"),
]

# What the reply code and the RFC 3463 subject say about the command, not the address: a 501 /
# 555 reply under a protocol status (X.5.y) could not parse an argument we sent (RFC 5321
# §4.2.3), X.5.3 caps the recipients of
# one transaction, and a DNS lookup that failed is no verdict that a name does not exist.
# (reply code, enhanced status, stage, text, accepted reasons)
COMMANDS_AND_LOOKUPS = [
    ("501", "5.5.4", "rcpt", "The domain part of the address is invalid", "syntaxerror"),
    ("501", "5.5.2", "helo", "Invalid domain name in the greeting", "syntaxerror"),
    ("501", "5.5.2", "rcpt", "Recipient domain invalid", "syntaxerror"),
    ("555", "5.5.4", "mail", "Unknown host in the MAIL FROM parameter", "syntaxerror"),
    # ... while an addressing status (X.1.y) or another code is the server's verdict.
    ("501", "5.1.3", "rcpt", "Bad recipient address syntax", "userunknown"),
    ("550", "5.1.2", "rcpt", "Domain not found", "hostunknown"),
    # A lookup that failed: the receiver's routing, or (at MAIL / HELO) the check of our name.
    ("451", "4.1.2", "", "MX record lookup failed for example.net", "networkerror"),
    ("550", "5.1.2", "", "Host lookup failure", "networkerror"),
    ("451", "", "mail", "Domain lookup error for example.org", "rejected"),
    ("421", "", "helo", "Unable to look up the host name you gave", "blocked"),
    # Broken MX records: the domain exists, its mail routing does not work (not a hard bounce).
    ("553", "5.1.2", "", "Illegal MX record for host example.net", "networkerror"),
    ("550", "", "", "Invalid MX records for example.net", "networkerror"),
    ("553", "5.1.2", "mail", "The MX record of the sender's domain is misconfigured", "rejected"),
    ("550", "5.1.2", "rcpt", "All relevant MX records point to non-existent hosts", "hostunknown"),
    # Recipients of one message over the server's cap (X.5.3), however the cap is worded ...
    ("452", "4.5.3", "rcpt", "Recipient limit reached for this message", "toomanyconn"),
    ("550", "5.5.3", "", "Maximum number of recipients exceeded", "toomanyconn"),
    ("452", "4.5.3", "", "The message exceeds the maximum number of recipients allowed", "toomanyconn"),
    ("550", "5.5.3", "", "Please send to fewer addresses at a time", "toomanyconn"),
    # ... and recipients counted over a day or an hour: our sending rate.
    ("450", "", "", "Daily recipient limit reached", "speeding"),
    ("550", "", "", "Hourly recipient limit exceeded", "speeding"),
]


# Wordings of families the providers and MTAs document (relay refusals, attachment rules, a
# recipient receiving too fast, an unresolvable MAIL FROM domain, Exim's sender verification,
# our sender refused or not authorized, a mailbox said to be unknown), written here.
# (reply code, enhanced status, stage, text, accepted reasons)
WORDED_FAMILIES = [
    ("550", "5.7.0", "", "Relaying of mail is denied", "norelaying"),
    ("553", "", "", "Relaying is disallowed", "norelaying"),
    ("552", "5.7.0", "", "An attachment on your message was found to be illegal", "virusdetected"),
    ("550", "", "data", "Attachments of this kind are considered dangerous", "virusdetected"),
    ("450", "4.2.1", "", "The person you are writing to is receiving messages too quickly right now", "speeding"),
    ("451", "", "", "Message deferred because the RFC5321 from domain does not resolve", "rejected"),
    ("550", "", "mail", "Sender domain example.org could not be resolved", "rejected"),
    ("451", "", "", "Could not complete sender verify", "rejected"),
    ("553", "5.7.1", "", "The sender is not authorized", "rejected"),
    ("550", "", "", "Not accepting mail from this sender", "rejected"),
    ("550", "", "", "Address rejected: the mailbox is unknown", "userunknown"),
    ("550", "", "rcpt", "The account is unknown here", "userunknown"),
    ("452", "", "", "Insufficient storage on the server", "systemfull"),
    ("451", "4.7.1", "", "SPF check temporarily failed", "networkerror"),
    ("550", "", "", "DKIM verification could not be completed", "networkerror"),
    ("550", "5.7.1", "", "Messages from outside the company are not allowed", "rejected"),
    ("550", "", "", "Recipient domain has no valid MX", "notaccept"),
    ("550", "5.7.1", "", "The recipient has blocked mail from you", "filtered"),
    # ... and their neighbours that name another cause keep it.
    ("550", "5.7.1", "", "Sender is not authorized by the SPF record of example.org", "authfailure"),
    ("550", "", "", "Not accepting mail from 192.0.2.1", "blocked"),
    ("550", "5.7.1", "", "The message failed DKIM verification", "authfailure"),
    ("554", "5.7.1", "", "Rejected: the message has a bad attachment", "virusdetected"),
    ("550", "", "data", "Infected attachment removed, message refused", "virusdetected"),
    ("451", "", "", "Remote server disconnected", "networkerror"),
    ("421", "4.4.2", "", "The peer closed the connection", "networkerror"),
    ("451", "", "", "DKIM verification failed - temporary", "networkerror"),
    ("554", "", "rcpt", "delivery error: this user does not have an account here", "userunknown"),
]

# Enhanced status codes registered after RFC 3463 (IANA registry), read with no words at all.
# (reply code, enhanced status, stage, text, accepted reasons)
REGISTERED_CODES = [
    ("421", "4.7.28", "", "", "speeding"),  # mail flood detected
    ("550", "5.7.29", "", "", "authfailure"),  # ARC validation failure (RFC 8617)
    ("550", "5.7.30", "", "", "failedstarttls"),  # REQUIRETLS support required (RFC 8689)
    ("550", "5.7.27", "mail", "", "rejected"),  # sender address has null MX (RFC 7505)
    ("550", "5.5.3", "", "", "toomanyconn"),  # too many recipients (RFC 3463)
]


# Documentation often quotes a server's reply without its code or the command it answered.
# The reply is still the server's own verdict on the address it was given: hard, as with a
# code. (Inside a bounce report, uncorroborated wording stays `filtered`: test_classifier_reasons.)
TEXT_ONLY = ["No such user", "User not found", "Recipient address rejected: User unknown", "Unknown recipient"]


@pytest.mark.parametrize("text", TEXT_ONLY)
def test_a_reply_quoted_without_its_code_that_says_no_such_user_is_hard(text):
    got = classify_smtp_reply("", text)

    assert got.reason == "userunknown", got.evidence
    assert got.hard


@pytest.mark.parametrize(
    ("code", "status", "stage", "text", "accepted"),
    MEANINGS + PLACEHOLDERS + DOCUMENTED_FAMILIES + COMMANDS_AND_LOOKUPS + WORDED_FAMILIES + REGISTERED_CODES,
)
def test_a_reply_is_read_by_what_its_code_and_words_mean(code, status, stage, text, accepted):
    got = read(code, status, text, stage)

    assert got.reason in accepted.split(), f"{code} {status} {text!r} -> {got.reason} (evidence {got.evidence})"
    assert not got.hard or set(accepted.split()) & HARD_REASONS


# (reply code, enhanced status, text, reason, sender side): Exchange's STOREDRV thread limits name
# whose mailbox is busy: the recipient's (Deliver) or our sending mailbox (ClientSubmit).
THREAD_LIMITS = [
    ("432", "4.3.2", "STOREDRV.Deliver; recipient thread limit exceeded", "speeding", False),
    ("432", "4.3.2", "STOREDRV.ClientSubmit; sender thread limit exceeded", "speeding", True),
    # The recipient's own rate limit is theirs, however it is said.
    ("450", "", "The recipient has exceeded their message rate limit. Try again later.", "speeding", False),
    ("450", "4.2.1", "The person you are writing to is receiving messages too quickly", "speeding", False),
    # Recipients of several domains in one transaction: our client's batching is the cause.
    ("451", "4.3.0", "Several destination domains in one transaction are not supported", "systemerror", True),
]


@pytest.mark.parametrize(("code", "status", "text", "reason", "side"), THREAD_LIMITS)
def test_a_limit_is_on_the_side_of_the_mailbox_or_client_it_names(code, status, text, reason, side):
    got = read(code, status, text)

    assert got.reason == reason, got.evidence
    assert got.sender_side is side
