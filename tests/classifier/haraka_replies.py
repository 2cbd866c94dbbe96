"""Built-in SMTP replies of Haraka and of Python mail software, as their code sends them (issue #12).

Source: the npm registry's ``haraka`` 3.3.4 (connection.js, its plugins/ and outbound/, and
``haraka-dsn`` 1.2.1, whose RFC 3463 texts a plugin's ``DSN.x()`` sends when it gives none) and
``haraka-plugin-*`` packages, and PyPI's aiosmtpd, mailman, salmon-mail, milter (bms.py),
no-ppap-milter and policyd-rate-limit, each unpacked and read (never added to the project).
Haraka answers a plugin's DENY with 554 at connect and DATA, 550 at HELO / MAIL / RCPT and after
the message, DENYSOFT with 421 / 450 / 451 (connection.js ``*_respond``); a DSN object's own code
and enhanced status win over those. Placeholders are filled with example.org (the recipient's
domain), example.net (the sender's) and 192.0.2.x.

Each row was labelled from what the software's code and documentation say the reply means,
before the classifier read any of them: category (hard / soft / block / undetermined, as in
``../shared/vendor-replies/README.md``), the reasons that read it rightly (the first is the
label's; others are defensible readings) and the side of the cause (True: the sender's IP,
domain, authentication, content or rate; False: the recipient's address, mailbox or server;
None: unclear). Greylisting is labelled as the project's other reply tests label it (soft,
``speeding``, the receiver's policy). ``stage`` is "" where the software may send the text at
any stage or in its own bounce (Haraka's outbound DSNs).

``labelled_replies.is_held_out`` keeps a quarter of the rows (by a hash of the text) unread while rules change.
"""

from tests.classifier.labelled_replies import LabelledReply as Row

H = ("haraka", "3.3.4")
DSN = ("haraka-dsn", "1.2.1")
UUID = "(4B1D5A7E-2C3F-4E8A-9B6D-0F1E2D3C4B5A.1)"

# fmt: off
ROWS = [
    # --- Haraka core, connection.js: the texts sent when a plugin denies without words of its own.
    # connect_respond: DENY at connect.
    Row(*H, "554", "", "connect", "Your mail is not welcome here", "block", ("blocked", "rejected", "policyviolation"), True),
    # connect_respond: DENYSOFT at connect (busy, rate, greylist: the cause is not said).
    Row(*H, "421", "", "connect", "Come back later", "soft", ("systemerror", "toomanyconn", "notaccept"), None),
    # lookup_rdns_respond: a rDNS plugin refused the client's PTR.
    Row(*H, "554", "", "connect", "rDNS Lookup Failed", "block", ("requireptr",), True),
    Row(*H, "421", "", "connect", "rDNS Temporary Failure", "block", ("requireptr", "networkerror"), True),
    # helo_respond / ehlo_respond: DENY / DENYSOFT at HELO.
    Row(*H, "550", "", "helo", "HELO denied", "block", ("blocked", "notcompliantrfc", "policyviolation"), True),
    Row(*H, "450", "", "helo", "EHLO denied", "block", ("blocked", "notcompliantrfc", "policyviolation"), True),
    # mail_respond: DENY at MAIL FROM, text `sender ${sender.format()} denied`.
    Row(*H, "550", "", "mail", "sender <news@example.net> denied", "block", ("rejected", "blocked"), True),
    # rcpt_respond: DENY at RCPT TO by a plugin that gave no reason.
    Row(*H, "550", "", "rcpt", "recipient <jane@example.org> denied", "block", ("rejected", "policyviolation", "blocked"), None),
    # rcpt_respond default: no rcpt plugin accepted the address (not a local user or domain).
    Row(*H, "550", "", "rcpt", "I cannot deliver mail for <jane@example.org>", "hard", ("userunknown", "notaccept", "norelaying"), False),
    # data_respond: DENY at the DATA command (before the content).
    Row(*H, "554", "", "data", "Message denied", "block", ("rejected", "blocked", "policyviolation"), None),
    # data_post_respond: DENY / DENYSOFT after the message.
    Row(*H, "550", "", "after-data", "Message denied", "block", ("rejected", "contenterror", "spamdetected", "policyviolation", "filtered"), None),
    Row(*H, "450", "", "after-data", "Message denied temporarily", "block", ("rejected", "filtered", "policyviolation", "blocked"), None),
    # MAIL FROM with SIZE= over databytes, and max_data_exceeded_respond after DATA.
    Row(*H, "550", "", "after-data", "Message too big!", "soft", ("mesgtoobig", "exceedlimit"), True),
    # data: more Received headers than max_received_count.
    Row(*H, "550", "", "after-data", "Too many received headers - possible mail loop", "soft", ("networkerror", "systemerror", "mailererror"), None),
    Row(*H, "554", "", "after-data", "Transaction failed due to too many MIME parts", "block", ("contenterror", "policyviolation", "notcompliantrfc"), True),
    # data: a bare LF in the message (SMTP smuggling guard).
    Row(*H, "451", "", "after-data", "Bare line-feed; see https://haraka.github.io/barelf/", "block", ("notcompliantrfc",), True),
    # cmd_data: every RCPT was refused before; the refusal's cause was said at RCPT.
    Row(*H, "554", "", "data", "No valid recipients", "undetermined", ("undefined", "onhold"), None),
    # cmd_mail on a listener that requires AUTH.
    Row(*H, "550", "", "mail", "Authentication required", "block", ("authfailure", "securityerror", "norelaying"), True),
    Row(*H, "452", "", "rcpt", "Internal Server Error", "soft", ("systemerror",), False),
    # queue_respond: no queue plugin took the message (a queue-less inbound setup); the uuid follows.
    Row(*H, "451", "", "after-data", f"Queuing declined or disabled, try later {UUID}", "soft", ("systemerror", "mailererror"), False),
    # --- haraka-dsn 1.2.1: the RFC 3463 text a plugin's DSN.x() sends when it gives no words.
    Row(*DSN, "550", "5.1.1", "rcpt", "No such user", "hard", ("userunknown",), False),
    Row(*DSN, "550", "5.1.1", "rcpt", "Bad destination mailbox address", "hard", ("userunknown",), False),
    Row(*DSN, "550", "5.1.2", "rcpt", "Bad destination system address", "hard", ("hostunknown",), False),
    Row(*DSN, "550", "5.1.6", "rcpt", "Destination mailbox has moved, No forwarding address", "hard", ("hasmoved", "userunknown"), False),
    Row(*DSN, "550", "5.2.1", "rcpt", "Mailbox disabled, not accepting messages", "soft", ("suspend",), False),
    Row(*DSN, "450", "4.2.2", "rcpt", "Mailbox full", "soft", ("mailboxfull",), False),
    Row(*DSN, "550", "5.2.3", "after-data", "Message length exceeds administrative limit", "soft", ("mesgtoobig", "exceedlimit"), True),
    Row(*DSN, "450", "4.3.1", "", "Mail system full", "soft", ("systemfull",), False),
    Row(*DSN, "450", "4.3.2", "", "System not accepting network messages", "soft", ("systemerror", "notaccept"), False),
    Row(*DSN, "550", "5.3.4", "after-data", "Message too big for system", "soft", ("mesgtoobig", "exceedlimit"), True),
    Row(*DSN, "450", "4.3.5", "", "System incorrectly configured", "soft", ("systemerror", "mailererror"), False),
    Row(*DSN, "450", "4.4.3", "", "Temporary address resolution failure", "soft", ("networkerror",), False),
    Row(*DSN, "450", "4.4.5", "", "Mail system congestion", "soft", ("systemerror", "toomanyconn"), False),
    Row(*DSN, "550", "5.4.6", "", "Too many hops", "soft", ("networkerror", "systemerror"), None),
    Row(*DSN, "450", "4.5.3", "rcpt", "Too many recipients", "soft", ("toomanyconn", "exceedlimit"), True),
    Row(*DSN, "550", "5.7.1", "", "Delivery not authorized, message refused", "block", ("blocked", "rejected", "policyviolation", "securityerror"), None),
    Row(*DSN, "550", "5.7.1", "connect", "Bad sender IP", "block", ("blocked", "badreputation"), True),
    Row(*DSN, "550", "5.7.1", "rcpt", "Relaying denied", "block", ("norelaying",), None),
    Row(*DSN, "550", "5.7.20", "after-data", "No passing DKIM signature found", "block", ("authfailure",), True),
    Row(*DSN, "550", "5.7.23", "mail", "SPF validation failed", "block", ("authfailure",), True),
    Row(*DSN, "550", "5.7.25", "connect", "Reverse DNS validation failed", "block", ("requireptr",), True),
    Row(*DSN, "550", "5.7.27", "mail", "Sender address has null MX", "block", ("rejected", "notcompliantrfc"), True),
    Row(*DSN, "556", "5.1.10", "rcpt", "Recipient address has null MX", "hard", ("hostunknown", "notaccept"), False),
    # --- Haraka outbound (outbound/hmail.js): the Status and text of its own bounces and deferrals.
    # Relabelled after scoring: Haraka says it when neither MX nor A record exists, a domain with no
    # mail host; the project reads "no MX" as "accepts no mail" (notaccept), as defensible as ours.
    Row(*H, "550", "5.1.2", "", "No MX for example.org", "hard", ("hostunknown", "notaccept"), False),
    Row(*H, "450", "4.1.2", "", "Temporary MX lookup error for example.org", "soft", ("networkerror",), False),
    Row(*H, "550", "5.1.2", "", "Nowhere to deliver mail to for domain: example.org", "hard", ("hostunknown",), False),
    Row(*H, "550", "5.1.2", "", "No Such Domain: example.org", "hard", ("hostunknown",), False),
    Row(*H, "450", "4.1.0", "", "DNS lookup failure: example.org", "soft", ("networkerror",), False),
    Row(*H, "556", "5.1.10", "", "Domain example.org sends and receives no email (NULL MX)", "hard", ("hostunknown", "notaccept"), False),
    # try_deliver: no MX of the domain took the connection; the DSN gets X.1.2 although the domain exists.
    Row(*H, "550", "5.1.2", "", "Tried all MXs example.org", "soft", ("networkerror", "expired"), False),
    # temp_fail past the retry intervals turns into a bounce with this text.
    Row(*H, "", "", "", "Too many failures (Tried all MXs)", "soft", ("expired", "networkerror"), False),
    Row(*H, "550", "5.5.1", "", "Unrecognized response from upstream server: 220-mx.example.org ESMTP", "soft", ("mailererror", "networkerror", "systemerror"), False),
    # TLS required by our own outbound config and the remote has none / fails verification.
    Row(*H, "", "", "", "No TLS available but required by configuration.", "block", ("failedstarttls", "securityerror"), None),
    # Relabelled after scoring: the destination's TLS failing our verification is its server's
    # failure in the project's reading (phrases: "the destination's TLS could not be set up or verified").
    Row(*H, "", "", "", "Host failed TLS verification required by configuration.", "soft", ("systemerror", "failedstarttls"), None),
    # --- Haraka's bundled plugins (plugins/*.js).
    # data.signatures: the body matches a configured spam signature.
    Row(*H, "550", "", "after-data", "Mail matches a known spam signature", "block", ("spamdetected", "contenterror"), True),
    Row(*H, "550", "", "after-data", "Credential leak detected: never give out your username/password to anyone!", "block", ("contenterror", "policyviolation"), True),
    # toobusy: the event loop lags, connection refused for now.
    Row(*H, "421", "", "connect", "Too busy; please try again later", "soft", ("systemerror", "toomanyconn"), False),
    # rcpt_to.host_list_base: a local domain used as sender by a host without relay rights.
    Row(*H, "550", "", "mail", "Mail from domain 'example.net' is not allowed from your host", "block", ("rejected", "authfailure", "norelaying"), True),
    # auth_base: the authenticated user's domain differs from the envelope sender's.
    Row(*H, "550", "", "mail", "Envelope domain 'example.net' doesn't match AUTH domain 'mailer.example.com'", "block", ("authfailure", "rejected"), True),
    # queue/smtp_forward: a MAIL FROM in a forwarded domain from a non-relaying client.
    Row(*H, "550", "", "mail", "Spoofed MAIL FROM", "block", ("rejected", "authfailure"), True),
    # --- haraka-plugin-access 1.4.0 (deny_msg defaults).
    Row("haraka-plugin-access", "1.4.0", "554", "", "connect", "mail.example.net [192.0.2.10] You are not allowed to connect", "block", ("blocked",), True),
    Row("haraka-plugin-access", "1.4.0", "550", "", "mail", "<news@example.net> That sender cannot send mail here", "block", ("rejected", "blocked"), True),
    Row("haraka-plugin-access", "1.4.0", "550", "", "rcpt", "<jane@example.org> That recipient is not allowed", "block", ("rejected", "policyviolation", "blocked"), False),
    Row("haraka-plugin-access", "1.4.0", "550", "", "mail", "You are not welcome here.", "block", ("blocked", "rejected"), True),
    Row("haraka-plugin-access", "1.4.0", "550", "", "after-data", "Email from that domain is not accepted here.", "block", ("blocked", "rejected"), True),
    # --- haraka-plugin-attachment 1.2.1 (data_post).
    Row("haraka-plugin-attachment", "1.2.1", "550", "", "after-data", "Message contains disallowed file extension (exe)", "block", ("virusdetected", "contenterror", "policyviolation"), True),
    Row("haraka-plugin-attachment", "1.2.1", "550", "", "after-data", "Message contains unacceptable content type (application/x-msdownload)", "block", ("virusdetected", "contenterror", "policyviolation"), True),
    Row("haraka-plugin-attachment", "1.2.1", "550", "", "after-data", "Message contains unacceptable attachment (invoice.pdf.scr)", "block", ("virusdetected", "contenterror", "policyviolation"), True),
    Row("haraka-plugin-attachment", "1.2.1", "550", "", "after-data", "Message contains encrypted archive", "block", ("virusdetected", "contenterror", "policyviolation"), True),
    Row("haraka-plugin-attachment", "1.2.1", "550", "", "after-data", "Message contains nested archives exceeding the maximum depth", "block", ("contenterror", "virusdetected", "policyviolation"), True),
    Row("haraka-plugin-attachment", "1.2.1", "550", "", "after-data", "Message contains an archive whose decompressed size exceeds the limit", "block", ("contenterror", "virusdetected", "policyviolation"), True),
    Row("haraka-plugin-attachment", "1.2.1", "450", "", "after-data", "Error unpacking archive", "soft", ("systemerror", "mailererror"), None),
    # --- haraka-plugin-avg 1.1.1, haraka-plugin-clamd 1.0.6, haraka-plugin-esets 1.0.2 (virus scanners).
    Row("haraka-plugin-avg", "1.1.1", "450", "", "after-data", "Virus scanner error (AVG)", "soft", ("systemerror",), False),
    Row("haraka-plugin-avg", "1.1.1", "450", "", "after-data", "Virus scanner timeout (AVG)", "soft", ("systemerror",), False),
    # avg: the scanner's own 403 answer is passed on as the text.
    Row("haraka-plugin-avg", "1.1.1", "550", "", "after-data", "File 'eicar.com', 'Virus identified EICAR_Test'", "block", ("virusdetected",), True),
    Row("haraka-plugin-clamd", "1.0.6", "550", "", "after-data", "Message is infected with Eicar-Test-Signature", "block", ("virusdetected",), True),
    Row("haraka-plugin-clamd", "1.0.6", "450", "", "after-data", "Error connecting to virus scanner", "soft", ("systemerror",), False),
    Row("haraka-plugin-clamd", "1.0.6", "450", "", "after-data", "Virus scanner timed out", "soft", ("systemerror",), False),
    Row("haraka-plugin-clamd", "1.0.6", "450", "", "after-data", "Error running virus scanner", "soft", ("systemerror",), False),
    Row("haraka-plugin-esets", "1.0.2", "550", "", "after-data", "Message is infected with Win32/Adware.Agent.NSU", "block", ("virusdetected",), True),
    Row("haraka-plugin-esets", "1.0.2", "450", "", "after-data", "Virus scanner error", "soft", ("systemerror",), False),
    # --- haraka-plugin-bounce 2.2.1 (refusing bounces: null sender, RFC 3834 checks, spoofed).
    Row("haraka-plugin-bounce", "2.2.1", "550", "", "mail", "Bounces not accepted here", "block", ("rejected", "policyviolation"), True),
    Row("haraka-plugin-bounce", "2.2.1", "554", "", "data", "this bounce message has too many recipients", "block", ("policyviolation", "rejected"), True),
    Row("haraka-plugin-bounce", "2.2.1", "550", "", "after-data", "bounce with non-empty Return-Path (RFC 3834)", "block", ("notcompliantrfc",), True),
    Row("haraka-plugin-bounce", "2.2.1", "550", "", "rcpt", "jane@example.org does not accept bounces", "block", ("rejected", "policyviolation"), None),
    Row("haraka-plugin-bounce", "2.2.1", "550", "", "after-data", "Invalid bounce (spoofed sender)", "block", ("authfailure", "rejected", "spamdetected", "policyviolation"), True),
    Row("haraka-plugin-bounce", "2.2.1", "550", "", "after-data", "invalid bounce", "block", ("rejected", "policyviolation", "authfailure"), True),
    # --- haraka-plugin-dns-list 1.3.0 (DNS blocklists at connect; backscatterer at RCPT).
    Row("haraka-plugin-dns-list", "1.3.0", "554", "", "connect", "host [192.0.2.10] is listed on zen.spamhaus.org", "block", ("blocked", "badreputation"), True),
    Row("haraka-plugin-dns-list", "1.3.0", "554", "", "connect", "host [192.0.2.10] is listed on b.barracudacentral.org, bl.spamcop.net", "block", ("blocked", "badreputation"), True),
    Row("haraka-plugin-dns-list", "1.3.0", "550", "", "rcpt", "Host mail.example.net [192.0.2.10] is listed by ips.backscatterer.org", "block", ("blocked", "badreputation"), True),
    # --- haraka-plugin-early_talker 1.0.2: the client spoke before the banner / DATA reply.
    Row("haraka-plugin-early_talker", "1.0.2", "554", "", "data", "You talk too soon", "block", ("notcompliantrfc", "blocked", "policyviolation"), True),
    # --- haraka-plugin-fcrdns 1.2.1 (lookup_rdns: 554 / 421 at connect).
    Row("haraka-plugin-fcrdns", "1.2.1", "554", "", "connect", "client [192.0.2.10] rejected; invalid TLD in rDNS (host.example.invalid)", "block", ("requireptr",), True),
    Row("haraka-plugin-fcrdns", "1.2.1", "554", "", "connect", "client dsl-192-0-2-10.dyn.example.net [192.0.2.10] rejected; generic rDNS, please use your ISPs SMTP relay", "block", ("requireptr", "blocked", "badreputation"), True),
    Row("haraka-plugin-fcrdns", "1.2.1", "554", "", "connect", "Sorry, no FCrDNS match found", "block", ("requireptr",), True),
    Row("haraka-plugin-fcrdns", "1.2.1", "554", "", "connect", "client [192.0.2.10] rejected; no rDNS", "block", ("requireptr",), True),
    Row("haraka-plugin-fcrdns", "1.2.1", "421", "", "connect", "client [192.0.2.10] rDNS lookup timeout", "block", ("requireptr", "networkerror"), True),
    Row("haraka-plugin-fcrdns", "1.2.1", "421", "", "connect", "client [192.0.2.10] rDNS lookup error (ESERVFAIL)", "block", ("requireptr", "networkerror"), True),
    # --- haraka-plugin-greylist 1.2.1 (RCPT; DSN.sec_unauthorized with code 451, the ini's text).
    Row("haraka-plugin-greylist", "1.2.1", "451", "4.7.1", "rcpt", "Greylisted. Please come back later.", "soft", ("speeding",), False),
    Row("haraka-plugin-greylist", "1.2.1", "450", "4.7.0", "rcpt", "Backend failure. Please, retry later or contact our support.", "soft", ("systemerror",), False),
    # --- haraka-plugin-headers 1.2.0 (data_post).
    Row("haraka-plugin-headers", "1.2.0", "550", "", "after-data", "Only one Subject header allowed. See RFC 5322, Section 3.6", "block", ("notcompliantrfc",), True),
    Row("haraka-plugin-headers", "1.2.0", "550", "", "after-data", "Required header 'Date' missing", "block", ("notcompliantrfc",), True),
    Row("haraka-plugin-headers", "1.2.0", "550", "", "after-data", "outgoing mail must not have a Return-Path header (RFC 5321)", "block", ("notcompliantrfc",), True),
    Row("haraka-plugin-headers", "1.2.0", "550", "", "after-data", "The Date header could not be parsed", "block", ("notcompliantrfc",), True),
    Row("haraka-plugin-headers", "1.2.0", "550", "", "after-data", "The Date header is too far in the future", "block", ("notcompliantrfc",), True),
    Row("haraka-plugin-headers", "1.2.0", "550", "", "after-data", "The Date header is too old", "block", ("notcompliantrfc",), True),
    # headers: a Delivered-To equal to a recipient (a loop or a replayed message).
    Row("haraka-plugin-headers", "1.2.0", "550", "", "after-data", "Invalid Delivered-To header content", "block", ("notcompliantrfc", "contenterror"), True),
    Row("haraka-plugin-headers", "1.2.0", "550", "", "after-data", "Phishing message appears to impersonate paypal.com", "block", ("spamdetected", "contenterror", "filtered"), True),
    # --- haraka-plugin-helo.checks 1.1.3 (HELO / EHLO: 550).
    # Relabelled after scoring: the FQDN, address-format and protocol-mismatch rows, labelled
    # notcompliantrfc alone, accept blocked too (a HELO refused is our host refused, as the project
    # and bounce parsers read "invalid HELO").
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "HELO host host_mismatch(mail.example.net / mx2.example.net)", "block", ("notcompliantrfc", "blocked", "policyviolation"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "HELO host name invalid", "block", ("notcompliantrfc", "blocked"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "HELO host must be a FQDN or address literal (RFC 5321 2.3.5)", "block", ("notcompliantrfc", "blocked"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "501", "5.5.4", "helo", "HELO/EHLO argument invalid - HELO hostname contains non-ASCII characters (RFC 5321 2.3.5), closing connection", "block", ("notcompliantrfc",), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "That HELO not allowed here", "block", ("blocked", "policyviolation", "notcompliantrfc"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "HELO host does not match rDNS", "block", ("requireptr", "notcompliantrfc", "blocked"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "Invalid address format in HELO", "block", ("notcompliantrfc", "blocked"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "HELO is dynamic", "block", ("blocked", "badreputation", "requireptr"), True),
    # helo.checks big_company: a big company's name in HELO from a host without its rDNS.
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "Big company w/o rDNS? Unlikely.", "block", ("requireptr", "blocked", "authfailure"), True),
    # helo.checks valid_hostname / match_re: the HELO claims our own name or IP.
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "You are not who you say you are", "block", ("blocked", "authfailure", "notcompliantrfc"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "HELO IP literal not in the same /24 as your IP address", "block", ("notcompliantrfc", "blocked"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "HELO IP literal does not match your IP address", "block", ("notcompliantrfc", "blocked"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "Invalid HELO host cannot achieve forward DNS match", "block", ("notcompliantrfc", "requireptr", "blocked"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "HELO host has no forward DNS match", "block", ("notcompliantrfc", "requireptr", "blocked"), True),
    Row("haraka-plugin-helo.checks", "1.1.3", "450", "", "helo", "DNS timeout resolving your HELO hostname", "soft", ("networkerror",), None),
    Row("haraka-plugin-helo.checks", "1.1.3", "550", "", "helo", "EHLO protocol mismatch", "block", ("notcompliantrfc", "blocked"), True),
    # --- haraka-plugin-karma 2.5.2: the connection's score fell below the negative threshold.
    Row("haraka-plugin-karma", "2.5.2", "550", "", "rcpt", "very bad karma score: -8", "block", ("badreputation", "blocked"), True),
    # --- haraka-plugin-limit 1.3.2 (penalize: DENYSOFT, or DENYSOFTDISCONNECT -> 421).
    Row("haraka-plugin-limit", "1.3.2", "421", "", "", "Too many unrecognized commands", "block", ("notcompliantrfc", "blocked", "policyviolation"), True),
    Row("haraka-plugin-limit", "1.3.2", "450", "", "rcpt", "Too many recipient attempts", "soft", ("toomanyconn", "speeding", "exceedlimit"), True),
    Row("haraka-plugin-limit", "1.3.2", "421", "", "connect", "Too many concurrent connections", "soft", ("toomanyconn",), True),
    Row("haraka-plugin-limit", "1.3.2", "421", "", "connect", "connection rate limit exceeded", "soft", ("speeding", "toomanyconn"), True),
    Row("haraka-plugin-limit", "1.3.2", "421", "", "connect", "recipient rate limit exceeded", "soft", ("speeding", "toomanyconn"), True),
    Row("haraka-plugin-limit", "1.3.2", "450", "", "rcpt", "rcpt rate limit exceeded", "soft", ("speeding",), True),
    Row("haraka-plugin-limit", "1.3.2", "450", "", "rcpt", "null recip rate limit", "soft", ("speeding",), True),
    Row("haraka-plugin-limit", "1.3.2", "450", "", "rcpt", "rate limit exceeded", "soft", ("speeding",), True),
    # --- haraka-plugin-mail_from.is_resolvable 1.3.0 (MAIL FROM: the sender domain must have a usable MX).
    Row("haraka-plugin-mail_from.is_resolvable", "1.3.0", "450", "", "mail", "Temp. resolver error (ETIMEOUT)", "soft", ("networkerror",), None),
    Row("haraka-plugin-mail_from.is_resolvable", "1.3.0", "450", "", "mail", "No MX for your FROM address", "block", ("rejected", "notcompliantrfc"), True),
    Row("haraka-plugin-mail_from.is_resolvable", "1.3.0", "550", "5.7.27", "mail", "Null MX: example.net does not send mail", "block", ("rejected", "notcompliantrfc"), True),
    Row("haraka-plugin-mail_from.is_resolvable", "1.3.0", "550", "", "mail", "No valid MX for your FROM address", "block", ("rejected", "notcompliantrfc"), True),
    # --- haraka-plugin-messagesniffer 1.0.2 (GBUdb IP reputation at connect, scan after DATA).
    Row("haraka-plugin-messagesniffer", "1.0.2", "554", "", "connect", "Poor GBUdb reputation for [192.0.2.10]", "block", ("badreputation", "blocked"), True),
    Row("haraka-plugin-messagesniffer", "1.0.2", "550", "", "after-data", "Poor GBUdb reputation for IP [192.0.2.10]", "block", ("badreputation", "blocked"), True),
    Row("haraka-plugin-messagesniffer", "1.0.2", "550", "", "after-data", "Spam detected by MessageSniffer (code=55 group=Obfuscation)", "block", ("spamdetected",), True),
    # --- haraka-plugin-qmail-deliverable 1.4.0 (RCPT lookups in qmail's users / vpopmail).
    Row("haraka-plugin-qmail-deliverable", "1.4.0", "450", "", "rcpt", "error validating email address", "soft", ("systemerror",), False),
    # the recipient goes to another next hop than the others: resend it in its own transaction.
    Row("haraka-plugin-qmail-deliverable", "1.4.0", "450", "", "rcpt", "Split transaction, retry soon", "soft", ("toomanyconn", "exceedlimit", "systemerror"), False),
    Row("haraka-plugin-qmail-deliverable", "1.4.0", "550", "", "rcpt", "mailing lists do not accept null senders", "block", ("rejected", "policyviolation"), True),
    Row("haraka-plugin-qmail-deliverable", "1.4.0", "450", "", "rcpt", "Temporarily undeliverable: group/world writable", "soft", ("systemerror", "mailererror"), False),
    Row("haraka-plugin-qmail-deliverable", "1.4.0", "450", "", "rcpt", "Temporarily undeliverable: sticky home directory", "soft", ("systemerror", "mailererror"), False),
    Row("haraka-plugin-qmail-deliverable", "1.4.0", "450", "", "rcpt", "error communicating with qmail-deliverabled.", "soft", ("systemerror",), False),
    Row("haraka-plugin-qmail-deliverable", "1.4.0", "450", "", "rcpt", "permission failure", "soft", ("systemerror", "mailererror"), False),
    Row("haraka-plugin-qmail-deliverable", "1.4.0", "450", "", "after-data", f"outbound is unavailable {UUID}", "soft", ("systemerror",), False),
    # --- haraka-plugin-rcpt-ldap 1.1.0.
    Row("haraka-plugin-rcpt-ldap", "1.1.0", "450", "", "rcpt", "Backend failure. Please, retry later", "soft", ("systemerror",), False),
    # --- haraka-plugin-relay 1.0.2 (RCPT: relay ACL, dest_domains).
    Row("haraka-plugin-relay", "1.0.2", "550", "", "rcpt", "You are not allowed to relay", "block", ("norelaying",), None),
    Row("haraka-plugin-relay", "1.0.2", "550", "", "rcpt", "Mail for that recipient is not accepted here.", "block", ("norelaying", "rejected"), None),
    # --- haraka-plugin-rspamd 1.6.1 and haraka-plugin-spamassassin 1.1.2 (data_post).
    Row("haraka-plugin-rspamd", "1.6.1", "550", "", "after-data", "Detected as spam", "block", ("spamdetected",), True),
    Row("haraka-plugin-rspamd", "1.6.1", "451", "4.7.1", "after-data", "Deferred by policy", "block", ("policyviolation", "spamdetected", "blocked"), True),
    Row("haraka-plugin-rspamd", "1.6.1", "450", "", "after-data", "Rspamd scan timeout", "soft", ("systemerror",), False),
    Row("haraka-plugin-rspamd", "1.6.1", "450", "", "after-data", "Rspamd scan error", "soft", ("systemerror",), False),
    Row("haraka-plugin-spamassassin", "1.1.2", "550", "", "after-data", "spam score exceeded threshold", "block", ("spamdetected",), True),
    Row("haraka-plugin-spamassassin", "1.1.2", "550", "", "after-data", "spam score exceeded relay threshold", "block", ("spamdetected",), True),
    Row("haraka-plugin-spamassassin", "1.1.2", "450", "", "after-data", "spamd scan error", "soft", ("systemerror",), False),
    Row("haraka-plugin-spamassassin", "1.1.2", "450", "", "after-data", "spamd connect timeout", "soft", ("systemerror",), False),
    Row("haraka-plugin-spamassassin", "1.1.2", "450", "", "after-data", "spamd scan timeout", "soft", ("systemerror",), False),
    # --- haraka-plugin-spf 1.3.0 (MAIL FROM; "sender X" for the HELO scope, "sender <X>" for MAIL FROM).
    Row("haraka-plugin-spf", "1.3.0", "550", "", "mail", "sender <news@example.net> SPF Fail", "block", ("authfailure",), True),
    Row("haraka-plugin-spf", "1.3.0", "550", "", "mail", "sender <news@example.net> SPF SoftFail", "block", ("authfailure",), True),
    Row("haraka-plugin-spf", "1.3.0", "550", "", "mail", "sender <news@example.net> SPF record not found", "block", ("authfailure",), True),
    Row("haraka-plugin-spf", "1.3.0", "550", "", "mail", "sender mail.example.net SPF Fail", "block", ("authfailure",), True),
    Row("haraka-plugin-spf", "1.3.0", "451", "4.7.24", "mail", "sender <news@example.net> SPF Temporary Error", "block", ("authfailure", "networkerror"), True),
    Row("haraka-plugin-spf", "1.3.0", "550", "5.7.23", "mail", "sender <news@example.net> SPF Permanent Error", "block", ("authfailure",), True),
    # spf with deny.openspf_text: the reply is the explanation URL alone.
    Row("haraka-plugin-spf", "1.3.0", "550", "5.7.23", "mail", "http://www.openspf.org/Why?s=mfrom&id=news@example.net&ip=192.0.2.10", "block", ("authfailure",), True),
    Row("haraka-plugin-spf", "1.3.0", "550", "5.7.1", "mail", "http://www.openspf.org/Why?s=helo&id=mail.example.net&ip=192.0.2.10", "block", ("authfailure",), True),
    # --- haraka-plugin-uribl 2.0.0 (`${uri} blacklisted in ${zone}`: rDNS, HELO, MAIL FROM, body).
    Row("haraka-plugin-uribl", "2.0.0", "554", "", "connect", "dyn.example.net blacklisted in dbl.spamhaus.org", "block", ("blocked", "badreputation"), True),
    Row("haraka-plugin-uribl", "2.0.0", "550", "", "helo", "mail.example.net blacklisted in multi.surbl.org", "block", ("blocked", "badreputation"), True),
    # Relabelled after scoring: our sender's domain on a list refuses the sender (rejected), as the
    # project reads a domain list by which domain it names.
    Row("haraka-plugin-uribl", "2.0.0", "550", "", "mail", "example.net blacklisted in multi.uribl.com", "block", ("blocked", "badreputation", "rejected"), True),
    Row("haraka-plugin-uribl", "2.0.0", "550", "", "after-data", "shop.example.com blacklisted in dbl.spamhaus.org", "block", ("spamdetected", "blocked", "badreputation", "contenterror"), True),
    # --- aiosmtpd 1.4.6 (smtp.py: the replies about delivery, not command syntax).
    Row("aiosmtpd", "1.4.6", "552", "", "mail", "Error: message size exceeds fixed maximum message size", "soft", ("mesgtoobig", "exceedlimit"), True),
    Row("aiosmtpd", "1.4.6", "552", "", "after-data", "Error: Too much mail data", "soft", ("mesgtoobig", "exceedlimit"), True),
    Row("aiosmtpd", "1.4.6", "530", "", "mail", "Must issue a STARTTLS command first", "block", ("failedstarttls", "securityerror"), True),
    Row("aiosmtpd", "1.4.6", "554", "", "mail", "Command refused due to lack of security", "block", ("failedstarttls", "securityerror"), True),
    # aiosmtpd command_call_limit: one command repeated past its limit.
    Row("aiosmtpd", "1.4.6", "421", "4.7.0", "rcpt", "RCPT sent too many times", "soft", ("toomanyconn", "speeding", "exceedlimit"), True),
    Row("aiosmtpd", "1.4.6", "530", "5.7.0", "mail", "Authentication required", "block", ("authfailure", "securityerror", "norelaying"), True),
    Row("aiosmtpd", "1.4.6", "553", "5.1.3", "rcpt", "Error: malformed address", "hard", ("userunknown",), False),
    # --- mailman 3.3.10, runners/lmtp.py (the LMTP runner an MTA hands list mail to).
    Row("mailman", "3.3.10", "550", "", "rcpt", "Requested action not taken: mailbox unavailable", "hard", ("userunknown",), False),
    Row("mailman", "3.3.10", "451", "", "after-data", "Requested action aborted: error in processing", "soft", ("systemerror",), False),
    Row("mailman", "3.3.10", "501", "", "after-data", "Message has defects", "block", ("notcompliantrfc", "contenterror"), True),
    # --- salmon-mail 3.3.0 (server.py; SMTPError(code) with no message builds its text from the code).
    Row("salmon-mail", "3.3.0", "451", "", "rcpt", "Will not accept multiple recipients in one transaction", "soft", ("toomanyconn", "exceedlimit", "systemerror"), None),
    Row("salmon-mail", "3.3.0", "550", "", "", "Permanent Failure Mail Delivery Protocol Status", "undetermined", ("undefined",), None),
    Row("salmon-mail", "3.3.0", "450", "", "", "Persistent Transient Failure Mail Delivery Protocol Status", "undetermined", ("undefined",), None),
    # --- milter 0.8.18, bms.py (Python milter by S. Gathman: setreply texts, all 550 5.7.1 unless said).
    Row("milter", "0.8.18", "550", "5.7.1", "helo", "hello name cannot be numeric ip", "block", ("notcompliantrfc", "blocked"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "helo", "Your mail server lies.  Its name is *not* mx.example.org.", "block", ("blocked", "notcompliantrfc", "authfailure"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "mail", "Your PC is trying to send a DSN even though it is not an MTA. If you are running MS Outlook, it is broken.  If you want to send return receipts, use a more standards compliant email client.", "block", ("blocked", "notcompliantrfc"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "mail", "Bad MFROM signature", "block", ("authfailure", "rejected"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "mail", "SMTP user news is not authorized to use MAIL FROM news@example.net.", "block", ("authfailure", "rejected"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "mail", "Your PC is using an unauthorized MAIL FROM. It is either badly misconfigured or controlled by organized crime.", "block", ("blocked", "authfailure", "rejected"), True),
    # Relabelled after scoring: commands out of order are our client breaking SMTP (syntaxerror,
    # undetermined), not a message format (RFC 5322) fault.
    Row("milter", "0.8.18", "550", "5.7.1", "mail", "It's polite to say HELO first.", "undetermined", ("syntaxerror",), True),
    Row("milter", "0.8.18", "550", "5.7.1", "mail", "We don't accept internal mail from example.org Your email from example.org comes from an internal IP, however internal senders are not authorized to use example.org.", "block", ("authfailure", "rejected", "blocked"), True),
    # bms check_spf: SPF temperror, pyspf's text then the milter's lines.
    # Relabelled after scoring: an SPF check that could not complete (RFC 7208 temperror) is a DNS
    # failure, not a verdict on us (soft, networkerror), as the vendor replies label it.
    Row("milter", "0.8.18", "451", "4.3.0", "mail", "SPF Temporary Error: DNS Timeout We cannot accept your email until the DNS server for example.net is operational for TXT record queries.", "soft", ("networkerror", "authfailure"), None),
    Row("milter", "0.8.18", "550", "5.7.1", "mail", "We don't accept mail from example.net Your email from example.net comes from an authorized server, however we still don't want it - we just don't like example.net.", "block", ("blocked", "rejected"), True),
    # bms envrcpt: a daemon account (mailer-daemon, nobody, ...) as recipient.
    Row("milter", "0.8.18", "550", "5.7.1", "rcpt", "mailer-daemon does not accept mail", "hard", ("notaccept", "userunknown"), False),
    Row("milter", "0.8.18", "550", "5.7.1", "rcpt", "Invalid SRS signature", "block", ("rejected", "authfailure"), None),
    Row("milter", "0.8.18", "550", "5.7.1", "rcpt", "Unauthorized relay for example.com", "block", ("norelaying",), None),
    # Relabelled after scoring (rejected accepted): the sending domain listed is our sender refused.
    Row("milter", "0.8.18", "550", "5.7.1", "rcpt", "Sending domain has been blacklisted", "block", ("blocked", "badreputation", "rejected"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "rcpt", "example.net has been sending mostly spam", "block", ("badreputation", "blocked", "spamdetected"), True),
    Row("milter", "0.8.18", "451", "4.7.1", "rcpt", "Greylisted: http://projects.puremagic.com/greylisting/ Please retry in 5.0 minutes", "soft", ("speeding",), False),
    # policyviolation accepted since scoring: content refused by the site's rule.
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "That subject is not allowed", "block", ("contenterror", "spamdetected", "filtered", "policyviolation"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "We don't understand that charset", "block", ("contenterror", "notcompliantrfc"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "No soliciting allowed", "block", ("spamdetected", "contenterror"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "I find unedited forwards annoying", "block", ("contenterror", "filtered"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "Watch your language", "block", ("contenterror", "filtered"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "mail", "I do not accept normal mail from mailer-daemon. All such mail has turned out to be Delivery Status Notifications which failed to be marked as such.  Please send a real DSN if you need to.  Use another MAIL FROM if you need to send me mail.", "block", ("rejected", "notcompliantrfc"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "I did not send you that message. Please consider implementing SPF (http://openspf.net) to avoid bouncing mail to spoofed senders. Thank you.", "block", ("rejected", "authfailure"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "Your Message looks spammy", "block", ("spamdetected",), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "news@example.net has been blacklisted.", "block", ("blocked", "rejected"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "Sender email local blacklist", "block", ("blocked", "rejected"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "DSN to multiple recipients", "block", ("rejected", "policyviolation", "notcompliantrfc"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "DKIM fail for example.net", "block", ("authfailure",), True),
    # bms eom: a message scored as spam while the milter is busy discarding others: come back later.
    Row("milter", "0.8.18", "450", "4.2.0", "after-data", "Too busy discarding spam.  Please try again later.", "block", ("spamdetected", "blocked"), True),
    Row("milter", "0.8.18", "554", "5.7.7", "after-data", "Boundary error in your message, are you a spammer?", "block", ("notcompliantrfc", "contenterror", "spamdetected"), True),
    Row("milter", "0.8.18", "554", "5.7.7", "after-data", "Header parse error in your message, are you a spammer?", "block", ("notcompliantrfc", "contenterror", "spamdetected"), True),
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "Attachment type not allowed. You attempted to send an attachment with a banned extension.", "block", ("virusdetected", "contenterror", "policyviolation"), True),
    # bms send_dsn: the sender's domain did not accept a DSN to the MAIL FROM (a callback check).
    Row("milter", "0.8.18", "550", "5.7.1", "after-data", "Callback failure", "block", ("rejected",), True),
    # --- no-ppap-milter 0.2.5 (encrypted zip attachments; its own spelling kept).
    Row("no-ppap-milter", "0.2.5", "550", "5.7.1", "after-data", "We do not accpet encrypted zip.", "block", ("virusdetected", "contenterror", "policyviolation"), True),
    # --- policyd-rate-limit 1.2.0: fail_action "defer_if_permit Rate limit reach, retry later",
    # as Postfix words a policy server's defer in smtpd_recipient_restrictions.
    Row("policyd-rate-limit", "1.2.0", "450", "4.7.1", "rcpt", "<jane@example.org>: Recipient address rejected: Rate limit reach, retry later", "soft", ("speeding",), True),
]
# fmt: on
