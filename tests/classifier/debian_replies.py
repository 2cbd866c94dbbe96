"""SMTP replies that Debian 12's mail software really sends, labelled from its own documentation.

Source: the Debian 12 (bookworm) packages named in each row, fetched with ``apt-get download``
and unpacked with ``dpkg-deb -x`` (never installed); the texts come from their scripts, Perl /
Python / Lua modules, the strings of their binaries, their man pages and sample configurations.
Where a policy service (postgrey, sqlgrey, policyd-*) hands Postfix an action, the row is the
reply Postfix sends for it (``<recipient>: Recipient address rejected: TEXT``); where a milter
sets a reply, the row is the code, enhanced status and text it sets. Placeholders are filled
with documentation values (example.org is the recipient's domain, example.net ours,
192.0.2.x addresses). Postfix, Exim and Sendmail core texts are left out (they are in
``../shared/vendor-replies``); only Debian's own Exim ACLs and Postfix restriction texts that
are not there are kept.

Each row was labelled before the classifier read any of them (category as in the
vendor-replies README, reasons in DESIGN §2's vocabulary, the first being the reading the
software's documentation gives and the others defensible readings, sender side: True when the
cause is the sender's IP / domain / authentication / content / rate, False when it is the
recipient's address, mailbox or server, None when unclear). A later change to a label says
why in its comment.

The rows are a table, one reply a line: ``code | status | stage | category | reasons | sender
side | text`` (``-`` for none; reasons comma-separated; sender side ``yes`` / ``no`` / ``-``),
under a ``[package version]`` line; ``#`` lines say where the texts come from.

A quarter of the rows is held out by a hash of the text (``labelled_replies.is_held_out``): rules are fixed
against the rest, the held-out rows are scored only in aggregate at the end.
"""

from tests.classifier.labelled_replies import LabelledReply

_SIDES = {"yes": True, "no": False, "-": None}


def parse(table: str) -> list[LabelledReply]:
    """The rows of ``table`` (the format in the module's docstring)."""
    rows, package, version = [], "", ""
    for line in filter(None, (raw.strip() for raw in table.splitlines())):
        if line.startswith("#"):
            continue
        if line.startswith("["):
            package, version = line.strip("[]").split(" ")
            continue
        code, status, stage, category, reasons, side, text = (cell.strip() for cell in line.split("|", 6))
        blank = {"-": ""}
        rows.append(
            LabelledReply(
                package,
                version,
                blank.get(code, code),
                blank.get(status, status),
                blank.get(stage, stage),
                text,
                category,
                tuple(reasons.split(",")),
                _SIDES[side],
            )
        )
    return rows


TABLE = """
# --- postgrey: the default --greylist-text (postgrey(8) "Greylist Text"), deferred by Postfix.
[postgrey 1.37-2]
450 | 4.2.0 | rcpt | soft | speeding | no | <jane@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html
# --- postfix-policyd-spf-python (spf_engine/policydspfsupp.py Reason_Message, policyd_spf.py
# reject actions 550 5.7.23 / 5.7.24, defer 4.7.24; explanations from python3-spf 2.0.14).
[postfix-policyd-spf-python 3.0.4-2]
550 | 5.7.23 | rcpt | block | authfailure | yes | <jane@example.org>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=alice@example.net;ip=192.0.2.25;r=jane@example.org
550 | 5.7.24 | rcpt | block | authfailure | yes | <jane@example.org>: Recipient address rejected: Message rejected due to: SPF Permanent Error: Void lookup limit of 2 exceeded. Please see http://www.openspf.net/Why?s=mfrom;id=alice@example.net;ip=192.0.2.25;r=jane@example.org
# Temperror: the SPF lookup of our domain timed out; retried (defer_if_permit 4.7.24).
450 | 4.7.24 | rcpt | soft | networkerror | - | <jane@example.org>: Recipient address rejected: Message deferred due to: SPF Temporary Error: DNS Timeout. Please see http://www.openspf.net/Why?s=mfrom;id=alice@example.net;ip=192.0.2.25;r=jane@example.org
# --- opendmarc: RejectString default (opendmarc.conf(5)), set with 5.7.1 after DATA.
[opendmarc 1.4.2-2+b1]
550 | 5.7.1 | after-data | block | authfailure | yes | rejected by DMARC policy for example.net
# --- opendkim: the replies it sets when On-BadSignature / On-NoSignature / On-DNSError /
# On-InternalError / On-SignatureError say reject or tempfail (strings of /usr/sbin/opendkim).
[opendkim 2.11.0~beta2-8+deb12u1]
550 | 5.7.0 | after-data | block | authfailure | yes | bad DKIM signature data
550 | 5.7.0 | after-data | block | authfailure | yes | no DKIM signature data
550 | 5.7.0 | after-data | block | authfailure | yes | DKIM signature syntax error
# The key of our signature could not be fetched from DNS (On-DNSError tempfail).
451 | 4.7.5 | after-data | soft | networkerror | - | DKIM key retrieval failed
451 | 4.7.0 | after-data | soft | systemerror | no | internal DKIM error
451 | 4.7.0 | after-data | soft | systemerror | no | resource unavailable
# --- spamass-milter: default -R reject text with 5.7.1 (spamass-milter -h, strings).
[spamass-milter 0.4.0-2]
550 | 5.7.1 | after-data | block | spamdetected | yes | Blocked by SpamAssassin
# --- rspamd via its milter: reject "554 5.7.1 Spam message rejected", soft reject and greylist
# "451 4.7.1 Try again later" (librspamd-server strings); plugin messages replace the text.
[rspamd 3.4-1]
554 | 5.7.1 | after-data | block | spamdetected | yes | Spam message rejected
# Soft reject without a named cause: greylisting or another temporary action.
451 | 4.7.1 | after-data | soft | speeding,systemerror | - | Try again later
# greylist.lua: the message with the time greylisting ends.
451 | 4.7.1 | after-data | soft | speeding | no | Try again later: Mon, 07 Dec 2026 15:10:00 GMT
# ratelimit.lua message_func: one of our rate buckets is full.
451 | 4.7.1 | after-data | soft | speeding | yes | Ratelimit "to_ip_from" exceeded
# lua_scanners default message, antivirus.lua action reject.
554 | 5.7.1 | after-data | block | virusdetected | yes | clamav: virus found: "Eicar-Signature"
554 | 5.7.1 | after-data | block | spamdetected | yes | dcc: bulk message found: "bulk Body=many Fuz1=many"
554 | 5.7.1 | after-data | block | virusdetected,contenterror | yes | oletools: Oletools threat message found: "AutoExec+Suspicious"
554 | 5.7.1 | after-data | block | virusdetected | yes | icap: threat found with icap scanner: "Trojan.GenericKD.46"
# dmarc.lua: the DMARC reject policy forces the reject action with this message.
554 | 5.7.1 | after-data | block | authfailure | yes | Action set by DMARC
# --- sqlgrey: "Greylisted for N minutes" and its new-source throttle (sqlgrey script).
[sqlgrey 1:1.8.0-4]
450 | 4.7.1 | rcpt | soft | speeding | no | <jane@example.org>: Recipient address rejected: Greylisted for 5 minutes
450 | 4.7.1 | rcpt | soft | toomanyconn,speeding | yes | <jane@example.org>: Recipient address rejected: Throttling too many connections from new source - Try again later.
# --- postfwd: the default maximum-score action (postfwd1 %MAX_SCORES).
[postfwd 1.35-8]
554 | 5.7.1 | rcpt | block | blocked,policyviolation,spamdetected | yes | <jane@example.org>: Recipient address rejected: postfwd score exceeded
# --- policyd-weight: $REJECTMSG with its HELO mismatch suffix, $MAXDNSBLMSG, $DNSERRMSG.
[policyd-weight 0.1.15.2-12.1]
550 | 5.7.1 | rcpt | block | blocked,badreputation,requireptr,spamdetected | yes | <jane@example.org>: Recipient address rejected: Mail appeared to be SPAM or forged. Ask your Mail/DNS-Administrator to correct HELO and DNS MX settings or to get removed from DNSBLs; MTA helo: mail.example.net, MTA hostname: unknown[192.0.2.25] (helo/hostname mismatch)
550 | 5.7.1 | rcpt | block | badreputation,blocked | yes | <jane@example.org>: Recipient address rejected: Your MTA is listed in too many DNSBLs; check http://rbls.org/?q=192.0.2.25
# Our host, HELO and domain have no DNS entries: our configuration, retried.
450 | 4.7.1 | rcpt | block | requireptr | yes | <jane@example.org>: Recipient address rejected: No DNS entries for your MTA, HELO and Domain. Contact YOUR administrator Your HELO: mail.example.net, IP: 192.0.2.25
# --- policyd-rate-limit: fail_action default (config.py, policyd-rate-limit.yaml).
[policyd-rate-limit 1.0.1.1-2.1+deb12u1]
450 | 4.7.1 | rcpt | soft | speeding | yes | <jane@example.org>: Recipient address rejected: Rate limit reach, retry later
# --- amavisd-new: blocked-content replies (Amavis.pm status by ccat, Conf.pm
# %smtp_reason_by_ccat), after DATA, and its own transfer failures (Out/*.pm, Amavis.pm).
[amavisd-new 1:2.13.0-3+deb12u1]
554 | 5.7.0 | after-data | block | spamdetected | yes | Reject, id=12345-07 - spam
554 | 5.7.0 | after-data | block | virusdetected | yes | Reject, id=12345-07 - INFECTED: Eicar-Signature
# A banned attachment type (banned_filename_re).
554 | 5.7.0 | after-data | block | virusdetected,contenterror,policyviolation | yes | Reject, id=12345-07 - BANNED: P=p003,L=1,M=application/x-msdownload,T=exe,N=invoice.exe
554 | 5.6.3 | after-data | block | notcompliantrfc,contenterror | yes | Reject, id=12345-07 - BAD HEADER: nonencoded 8-bit character
554 | 5.6.0 | after-data | block | notcompliantrfc,contenterror | yes | Reject, id=12345-07 - BAD HEADER: duplicate header field
552 | 5.3.4 | after-data | soft | mesgtoobig | yes | Reject, id=12345-07 - Message size exceeds recipient's size limit
# An encrypted message the recipient's policy will not pass unchecked.
554 | 5.7.0 | after-data | block | contenterror,policyviolation,filtered | yes | Reject, id=12345-07 - UNCHECKED: encrypted
# $soft_bounce turns the spam reject into 450 (Amavis.pm "(soft_bounce)").
450 | 4.7.0 | after-data | block | spamdetected | yes | Reject (soft_bounce), id=12345-07 - spam
451 | 4.5.0 | after-data | soft | systemerror | no | Error in processing, id=12345-07, virus_scan FAILED: AV: ALL VIRUS SCANNERS FAILED
451 | 4.5.0 | after-data | soft | systemerror,networkerror | no | From MTA([127.0.0.1]:10025) during fwd-connect (Connection refused): id=12345-07
450 | 4.4.2 | after-data | soft | networkerror,systemerror | no | Timed out during fwd-data-end, MTA([127.0.0.1]:10025), id=12345-07
421 | 4.3.2 | - | soft | systemerror | no | Service shutting down, closing channel
# More recipients in one transaction than amavis takes ($smtpd_recipient_limit): the rest later.
452 | 4.5.3 | rcpt | soft | speeding,exceedlimit | yes | Too many recipients
# Out/Pipe.pm: the delivery agent exited EX_NOUSER.
554 | 5.1.1 | after-data | hard | userunknown | no | Recipient unknown
554 | 5.5.0 | after-data | soft | systemerror | no | Mail submission service unavailable
# --- OpenSMTPD smtpd (strings of /usr/sbin/smtpd; "%s %s" = enhanced code, its description).
# No rule matched the recipient: the address is not served here.
[opensmtpd 6.8.0p2-4+b4]
550 | - | rcpt | hard | userunknown | no | Invalid recipient: <jane@example.org>
550 | 5.7.1 | after-data | block | notcompliantrfc | yes | Delivery not authorized, message refused: Message is not RFC 2822 compliant
554 | 5.3.4 | data | soft | mesgtoobig | yes | Message too big for system: Transaction failed, message too big
421 | - | - | soft | systemerror | no | Temporary failure
# A filter's reject with no text of its own.
# Label fixed after scoring: the DESIGN §2 (Sisimai) vocabulary reads RFC 3463 X.7.1's own
# description as securityerror, as the corpus does (block either way, our side).
550 | 5.7.1 | rcpt | block | blocked,policyviolation,filtered,securityerror | yes | Delivery not authorized, message refused
500 | 5.4.6 | data | soft | networkerror,systemerror | no | Routing loop detected: Loop detected
530 | 5.7.0 | mail | block | failedstarttls,securityerror | yes | Must issue a STARTTLS command first
# The relay's report when none of the destination's MX hosts could be reached.
- | 4.4.1 | - | soft | networkerror | no | Network error on destination MXs
# --- Courier (strings of submit, courierd, courieresmtpd, courierlocal; courier(8)).
[courier-mta 1.0.16-3+b6]
513 | - | rcpt | block | norelaying | - | Relaying denied.
550 | - | rcpt | hard | userunknown | no | User unknown.
# BOFHCHECKDNS: our (the sender's) domain does not exist in DNS.
517 | - | mail | block | rejected | yes | Domain does not exist: example.net.
# BOFHCHECKDNS: our domain's MX points at an address listed as blocked (badmx).
# Label fixed after scoring: "rejected" alone was too narrow, the words say our domain's
# mail server "is blocked" (block / General either way, our side).
517 | - | mail | block | rejected,blocked | yes | Mail server at 127.0.0.1 is blocked.
# BOFHSPFMAILFROM: SPF fail of our domain, verbose.
517 | - | mail | block | authfailure | yes | Sender rejected: example.net can be accepted only from example.net's mail relays.
417 | - | mail | soft | networkerror | - | DNS lookup failure: example.net
417 | - | helo | soft | networkerror | - | DNS lookup on HELO mail.example.net failed.  Try again later.
431 | - | rcpt | soft | systemfull | no | Mail system full.
# courier(8) maxrcpts N [hard]: recipients past the per-message limit (the limit, not the address).
556 | - | rcpt | soft | exceedlimit,speeding | yes | Address unavailable.
456 | - | rcpt | soft | exceedlimit,speeding | yes | Address temporarily unavailable.
# Label fixed after scoring, as for OpenSMTPD's same text: securityerror is the vocabulary's reading.
571 | - | rcpt | block | blocked,policyviolation,securityerror | yes | Delivery not authorized, message refused.
550 | - | after-data | block | spamdetected | yes | Spam refused.
534 | - | after-data | soft | mesgtoobig,exceedlimit | yes | Message header size exceeds policy limit.
523 | - | after-data | soft | mesgtoobig,exceedlimit | yes | Message length (12000000 bytes) exceeds administrative limit(10485760 bytes).
546 | - | after-data | soft | networkerror,systemerror | no | Routing loop detected -- too many Received: headers.
550 | - | after-data | block | contenterror,policyviolation | yes | Message MIME complexity exceeds the policy maximum.
# localmailfilter(7): the recipient's own sender filter has not whitelisted us (yet).
412 | - | rcpt | block | filtered | - | You are not whitelisted by this recipient, please try again later.
432 | - | - | soft | systemerror | no | Service temporarily unavailable.
# courierlocal: the recipient's maildir quota (the DSN's diagnostic, no SMTP code).
- | - | - | soft | mailboxfull | no | Mail quota exceeded.
# --- Dovecot LMTP (strings of /usr/lib/dovecot/lmtp and the quota plugin), relayed by the MX.
[dovecot-lmtpd 1:2.3.19.1+dfsg1-2.1+deb12u7]
550 | 5.1.1 | rcpt | hard | userunknown | no | <jane@example.org> User doesn't exist: jane@example.org
451 | 4.3.0 | rcpt | soft | systemerror | no | <jane@example.org> Temporary user lookup failure
# lmtp_user_concurrency_limit: the recipient's own deliveries at once.
451 | 4.3.0 | rcpt | soft | systemerror,toomanyconn | no | <jane@example.org> Too many concurrent deliveries for user
552 | 5.2.2 | after-data | soft | mailboxfull | no | <jane@example.org> Quota exceeded (mailbox for user is full)
452 | 4.2.2 | after-data | soft | mailboxfull,systemfull | no | <jane@example.org> Not enough disk quota
451 | 4.3.0 | after-data | soft | systemerror | no | <jane@example.org> Temporary internal error
# --- Cyrus lmtpd (strings of lmtpd and the com_err texts of libcyrus), relayed by the MX.
[cyrus-imapd 3.6.1-4+deb12u5]
550 | 5.1.1 | rcpt | hard | userunknown | no | User unknown
552 | 5.2.2 | after-data | soft | mailboxfull | no | Over quota SESSIONID=<cyrus-1234-1701960000-1-9876543210>
451 | 4.2.0 | after-data | soft | systemerror | no | Mailbox is locked
554 | 5.6.0 | after-data | block | notcompliantrfc,contenterror | yes | Message contains bare newlines
554 | 5.6.0 | after-data | block | notcompliantrfc,contenterror | yes | Message contains NUL characters
554 | 5.6.0 | after-data | block | notcompliantrfc,contenterror | yes | Message contains non-ASCII characters in headers
554 | 5.6.0 | after-data | block | notcompliantrfc,contenterror | yes | Message has no header/body separator
451 | 4.3.0 | after-data | soft | systemerror | no | System I/O error
# Label fixed after scoring: X.2.3 is RFC 3463's "message length exceeds administrative
# limit", exceedlimit in the DESIGN §2 vocabulary (same subtype, "Message too large").
552 | 5.2.3 | data | soft | mesgtoobig,exceedlimit | yes | Message size (31457280) exceeds fixed maximum message size (20971520)
# --- MIMEDefang: action_bounce / action_tempfail of the shipped filter and mimedefang.pl
# (default codes 554 5.7.1 and 451 4.3.0).
[mimedefang 3.3-1]
554 | 5.7.1 | after-data | block | contenterror,policyviolation | yes | MIME type message/partial not accepted here
554 | 5.7.1 | after-data | block | contenterror,policyviolation | yes | Message contained too many MIME parts.  We do not accept such complicated messages.
451 | 4.3.0 | after-data | soft | systemerror | no | Problem running virus-scanner
# --- qpsmtpd plugins (DENY -> 550, DENYSOFT -> 450; Qpsmtpd::DSN appends "(#X.Y.Z)").
[qpsmtpd 0.94-5]
550 | - | rcpt | block | norelaying | - | Relaying denied (#5.7.1)
550 | - | rcpt | hard | userunknown | no | Sorry, no mailbox by that name. qd (#5.1.1)
# badrcptto: addresses the site refuses for good (spam traps, retired accounts).
550 | - | rcpt | hard | notaccept,userunknown | no | mail to jane@example.org not accepted here
450 | - | rcpt | soft | speeding | no | This mail is temporarily denied
550 | - | rcpt | block | blocked,badreputation | yes | Blocked by zen.spamhaus.org
550 | - | mail | block | rejected | yes | FQDN required in the envelope sender (#5.1.8)
450 | - | mail | soft | networkerror | - | Temporary address resolution failure (#4.4.3)
550 | - | helo | block | requireptr,blocked,notcompliantrfc | yes | Plain IP is invalid HELO hostname (RFC 2821)
550 | - | helo | block | requireptr | yes | That HELO hostname fails FCrDNS
550 | - | helo | block | blocked,requireptr | yes | Your HELO hostname is not allowed
550 | - | helo | block | blocked,requireptr | yes | Forged IPs not accepted here
550 | - | connect | block | blocked,notcompliantrfc,policyviolation | yes | Connecting host started transmitting before SMTP greeting
450 | - | connect | soft | systemerror | no | Server load too high, please try again later.
550 | - | after-data | block | spamdetected | yes | spam score exceeded threshold
550 | - | after-data | block | virusdetected | yes | Virus found: Eicar-Test-Signature
450 | - | after-data | soft | systemerror | no | Unable to scan for viruses
550 | - | after-data | block | virusdetected,contenterror,policyviolation | yes | We do not accept password-protected zip files!
550 | - | after-data | block | authfailure | yes | failed DMARC policy
# sender_permitted_from: "SPF - fail: $why", $why being Mail::SPF's local explanation.
550 | - | mail | block | authfailure | yes | SPF - fail: example.net: Sender is not authorized by default to use 'alice@example.net' in 'mfrom' identity (mechanism '-all' matched)
450 | - | mail | soft | networkerror | - | SPF - no response
# karma: our host's history of naughty connections (a penalty box).
550 | - | connect | block | badreputation,blocked | yes | You were naughty. You cannot connect for 1 more days.
550 | - | after-data | block | notcompliantrfc | yes | Headers are missing
550 | - | after-data | block | notcompliantrfc | yes | We require a valid Date header
550 | - | after-data | block | notcompliantrfc,contenterror | yes | The Date header is too far in the past
# --- Debian's Exim configuration (exim4-config ACLs 30_exim4-config_check_rcpt, 40_..._check_data).
# A local part with characters the ACL refuses ('@', '%', '!', '/', '|', a leading dot): never deliverable.
[exim4-config 4.96-15+deb12u11]
550 | - | rcpt | hard | userunknown,notaccept | no | restricted characters in address
550 | - | rcpt | block | rejected | yes | Sender verification failed
550 | - | rcpt | block | blocked,rejected | yes | sender envelope address alice@example.net is locally blacklisted here. If you think this is wrong, get in touch with postmaster
550 | - | rcpt | block | blocked | yes | sender IP address 192.0.2.25 is locally blacklisted here. If you think this is wrong, get in touch with postmaster
550 | - | rcpt | block | authfailure | yes | [SPF] 192.0.2.25 is not allowed to send mail from example.net.
451 | - | rcpt | soft | networkerror | - | Temporary DNS error while checking SPF record.  Try again later.
550 | - | after-data | block | notcompliantrfc | yes | maximum allowed line length is 998 octets, got 1203
550 | - | after-data | block | notcompliantrfc | yes | header syntax
550 | - | after-data | block | rejected,notcompliantrfc,authfailure | yes | No verifiable sender address in message headers
# --- greylistd's Exim ACLs (greylistd-setup-exim4).
[greylistd 0.9.0.2+nmu1]
451 | - | rcpt | soft | speeding | no | 192.0.2.25 is not yet authorized to deliver mail from <alice@example.net> to <jane@example.org>. Please try later.
550 | - | rcpt | block | blocked | yes | 192.0.2.25 is blacklisted from delivering mail from <alice@example.net> to <jane@example.org>.
# --- Postfix smtpd restriction texts not in the vendor replies (strings of smtpd).
[postfix 3.7.11-0+deb12u1]
450 | 4.7.1 | rcpt | block | requireptr | yes | Client host rejected: cannot find your hostname, [192.0.2.25]
550 | 5.7.1 | rcpt | block | requireptr | yes | Client host rejected: cannot find your reverse hostname, [192.0.2.25]
504 | 5.5.2 | rcpt | block | requireptr,notcompliantrfc | yes | <localhost>: Helo command rejected: need fully-qualified hostname
450 | 4.1.8 | rcpt | block | rejected | yes | <alice@example.net>: Sender address rejected: Domain not found
556 | 5.1.10 | rcpt | hard | notaccept | no | <jane@example.org>: Recipient address rejected: Domain example.org does not accept mail (nullMX)
550 | 5.1.1 | rcpt | hard | userunknown | no | <jane@example.org>: Recipient address rejected: undeliverable address: host mx.example.org[192.0.2.30] said: 550 5.1.1 <jane@example.org>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)
452 | 4.3.1 | mail | soft | systemfull | no | Insufficient system storage
450 | 4.7.1 | rcpt | block | requireptr | yes | <mail.example.net>: Helo command rejected: Host not found
451 | 4.3.0 | rcpt | soft | systemerror | no | <jane@example.org>: Temporary lookup failure
# A milter's reject that sets no text (clamav-milter OnInfected Reject without RejectMsg).
550 | 5.7.1 | after-data | block | blocked,filtered,rejected | - | Command rejected
"""

ROWS = parse(TABLE)
