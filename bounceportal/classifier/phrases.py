"""What servers write when mail fails, grouped per reason: our phrase tables, as data.

``PHRASES`` is tried in table order by :func:`decision.phrase_reason`; the first group
with a phrase in the lower-cased, space-squashed diagnostic wins, so specific causes
(SPF, reverse DNS, a full mailbox) come before broad ones (``rejected``, ``denied``).
A reason may appear twice: an early group for unambiguous verdicts, a later one for
looser wording; the first groups are providers' published error-code families.
``ADDRESS_CERTAIN`` is directory wording that makes "no such user" a hard bounce at
any SMTP stage. ``NOTICE_PHRASES`` recognizes provider notices by a fixed landmark.
Each comment says what family of messages a group catches. Written from the RFCs and
from what MTAs say, not from another project's tables.
"""

from __future__ import annotations

# An IPv4 address as replies quote it, or as documentation writes its placeholder
# ("192.0.2.1", "x.x.x.x", "xxx.xxx.xxx.xxx", "IP1.IP2.IP3.IP4", "[IP]", "<IP address>",
# "$ConnectingIP", "IP_ADDRESS").
_IPV4 = (
    r"(?:\[|<|\(|\{)?(?:(?:\d{1,3}|x{1,3}|ip\d)(?:\.(?:\d{1,3}|x{1,3}|ip\d)){3}"
    r"|\$?[a-z]*ip(?:[ _]?address)?\b|ip[ _]address)(?:\]|>|\)|\})?"
)

PHRASE_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    # Error-code families that large providers publish for their replies. The code names
    # the cause while the sentence around it is generic ("sender rejected"), so these
    # come first. Cox: "AUP#XXXX" codes on its email-error-codes page; Spectrum/Charter:
    # "AUP#In-NNNN"/"AUP#O-NNNN"; Orange/Wanadoo: "OFRnnn_NNN [NNN]"; T-Online: a
    # trailing "(BL)" tag.
    (
        "provider code: sending IP block-listed (Cox, Spectrum, Orange, T-Online)",
        "blocked",
        (
            r"aup#(?:cx|cd|ip|dns)?(?:rbl|bl)\w*",  # Cox: the sending IP is on a block list
            r"aup#(?:in?|o|out)-10[0-3]\d\b",  # Spectrum: the sending IP is blocked
            r"\bofr\d*_1\d\d\b",  # Orange 1xx: the source IP is blocked
            r"\(r?bl\)",  # T-Online: the sender is block-listed
        ),
    ),
    (
        "provider code: URL or content spam (Cox, Orange)",
        "spamdetected",
        (
            r"aup#(?:cx)?urlbl\w*",  # Cox: a URL in the body is block-listed
            r"\bofr\d*_506\b",  # Orange 506: mail rejected as spam
        ),
    ),
    (
        "provider code: no reverse DNS (Cox)",
        "requireptr",
        (
            r"aup#cxdns\b",  # Cox: no reverse DNS for the sender
        ),
    ),
    (
        "provider code: connection limits (Cox, Spectrum)",
        "toomanyconn",
        (
            r"aup#(?:cxcnct|cxthrt)\b",  # Cox: too many connections
            r"aup#(?:in?|o|out)-13\d\d\b",  # Spectrum: connection limits exceeded
        ),
    ),
    # Our client broke the SMTP protocol (RFC 5321 §4.1.4 command order, RFC 2920
    # pipelining, RFC 3207 STARTTLS rules): said before the TLS and policy groups
    # because such replies name STARTTLS or "violation".
    (
        "our client broke the SMTP protocol",
        "syntaxerror",
        (
            r"smtp protocol violation",
            # A usage reply: "501 Syntax: MAIL FROM:<address>", "501 Syntax: HELO hostname".
            r"\bsyntax: (?:mail|rcpt|helo|ehlo|vrfy|expn|auth|data)\b",
            r"\b(?:sender|recipient|mail|rcpt) (?:already|not yet) (?:given|specified)",
            r"\bneed (?:mail|rcpt)(?: from| to)?(?: command)? (?:before|first)|\bneed (?:mail|rcpt) command",
            r"synchroni[sz]ation error",
            # RFC 5321 §4.1.4 command order: "EHLO/HELO first", "RCPT first", "No DATA after
            # BDAT", "... command was issued out of sequence".
            r"out of sequence",
            r"\b(?:ehlo|helo|mail|rcpt)(?: ?/ ?(?:ehlo|helo))? first\b",
            r"\bno data after bdat\b",
            r"too many (?:nonmail|non-mail|unauthenticated|invalid|unrecognized) commands",
            r"may not be repeated",
            r"not permitted for that auth",
            r"pipelin(?:ing|ed) (?:not allowed|after|before)",
            # RFC 5321 §4.5.3.1.4: "500 Line too long" answers a command line (a message line
            # too long is an RFC 5322 matter, below).
            r"\b500 (?:5\.5\.\d )?(?:command )?line too long",
            r"improper use of smtp command pipelining",
            # An MTA's error limit (Postfix smtpd_hard_error_limit, Exim's syntax errors).
            r"too many (?:syntax (?:or protocol )?|protocol )?errors",
        ),
    ),
    # Our client's SMTP AUTH login was refused (RFC 4954 535 / X.7.8): its user name or
    # password, never a recipient's mailbox ("Invalid user name or password").
    (
        "our client's login credentials refused",
        "securityerror",
        (
            r"\b(?:user ?name|login|user|account) (?:and|or|/) (?:\w+ )?password\b",
            r"\b(?:invalid|bad|wrong|incorrect) (?:login |smtp )?credentials\b(?! for relay)",
        ),
    ),
    # All recipients were refused earlier in the transaction: the reply to DATA says only
    # that nothing is left to deliver; the cause was each recipient's RCPT reply.
    (
        "no recipient left in the transaction",
        "undefined",
        (r"no valid recipients", r"no (?:valid )?recipients? (?:given|specified|accepted)"),
    ),
    # Greylisting (a receiver's policy of deferring unknown sender/client/recipient
    # triplets until they retry): a temporary, self-resolving refusal, never an
    # unknown address even when said as "Recipient address rejected: Greylisted".
    # Said also as a sender not authorized *yet* ("... is not yet authorized to deliver mail
    # from <s> to <r>. Please try later"): the "yet" is the retry the receiver waits for.
    ("greylisting", "speeding", (r"gr[ae]y-?list", r"\bnot yet (?:authori[sz]ed|allowed|permitted)\b")),
    # Too many recipients in one transaction (RFC 3463 X.5.3): said before the sender
    # quota group, whose "sending limits" the providers' help links repeat.
    (
        "too many recipients in one message",
        "toomanyconn",
        (
            # ... unless counted over time ("too many recipients this hour"): a sending rate.
            r"too many recipients(?! (?:received |sent )?(?:this|per|in the last|an?|each) (?:hour|day|minute))",
            r"too many (?:recipient|rcpt) (?:attempts|addresses|commands)",
            # A per-transaction limit: "... per transaction exceeded, try this recipient in a
            # separate transaction" (RFC 5321 §4.5.3.1.8: the client retries the rest later).
            r"per (?:transaction|message|session) (?:exceeded|limit)",
            r"(?:in|with) a separate transaction",
            # The server's cap on recipients in one transaction, said as a limit (RFC 3463
            # X.5.3): "Recipient limit exceeded", "Maximum number of recipients reached".
            r"(?<!daily )(?<!hourly )\brecipients? (?:count )?limit (?:per (?:message|transaction) )?(?:exceeded|reached)",
            r"\b(?:maximum|max\.?) (?:number of )?recipients (?:per (?:message|transaction) )?(?:exceeded|reached|allowed)",
            r"exceeds? the (?:maximum )?(?:number of )?recipients? (?:limit|allowed)",
        ),
    ),
    # Our sender's rate or quota (RFC 3463 X.2.2 / X.4.5 are reused for it): said before
    # the mailbox-quota group, whose "quota exceeded" would read it as a full mailbox.
    (
        "our sending quota or rate",
        "speeding",
        (
            r"(?:submission|sending|daily user sending|daily sending|outbound) (?:quota|limit)",
            # A cap counted over a day or an hour: "Daily recipient limit reached", "hourly message quota".
            r"\b(?:daily|hourly) (?:recipients?|messages?|e-?mails?|mail|send(?:ing)?) (?:limit|quota|cap)\b",
            # Our client sends too fast: "You are sending too fast", "sending too much mail".
            r"\bsending (?:(?:e-?mails?|mail|messages) )?(?:too (?:fast|quickly|much|many)|at too high a rate)",
            # The same in the languages providers localize it into (German, French, Spanish, Italian).
            r"zu viele (?:e-?mails|nachrichten|mails)|trop de (?:messages|courriels|e-?mails)|demasiados (?:mensajes|correos)|troppi messaggi",
            r"слишком много (?:писем|сообщений)|отправка (?:писем|почты)[^.;]{0,40}ограничен|(?:发送|发信)频率|频率过快",
            # Exchange's store driver names the same limit as an exception: "SubmissionQuotaExceededException".
            r"submissionquota",
            # "... exceeded the quota for sending messages that have the same Message-ID".
            r"quota for sending\b",
            r"too many recipients (?:received |sent )?(?:this|per|in the last|an?|each) (?:hour|day|minute)",
            r"relay limit",
            # A hosting provider's outbound cap: "has exceeded the max emails per hour", "limit of 500 messages per day".
            r"(?:max(?:imum)?|limit of) (?:number of )?(?:\d+ )?(?:e-?mails?|messages?|recipients?) (?:allowed )?per (?:hour|day|minute)",
            r"too much mail from",
            r"too much (?:traffic|volume)\b",
            # "Message rate for 192.0.2.10 is over the limit".
            r"\b(?:message|mail|e-?mail|sending|send) rate\b[^;]{0,40}\b(?:over|above|exceed\w*|too high|limit)\b",
            r"\b(?:daily|hourly) (?:\w+ )?(?:limit|quota|cap) (?:on|for) (?:outgoing|outbound|sent|sending)\b",
            r"mail flood",
            r"(?:receiving|receive|getting|gets) (?:e-?mails?|mail|messages?) (?:at a (?:rate|pace)|too quickly|too fast)",
            r"message receive limit",
            r"(?:inbound|incoming) (?:mail |message |e-?mail )?(?:rate|quota|limit)",
            r"receiving too many",
            r"recipient thread limit",
        ),
    ),
    # The destination's own scanner or checker failed ("Virus scanner timed out", "Error
    # connecting to virus scanner", "spamd scan error", "Unable to scan for viruses",
    # "internal DKIM error"): a failure of its system, no verdict; said before the virus,
    # spam and authentication groups whose words these replies carry.
    (
        "the destination's scanner or checker failed",
        "systemerror",
        (
            r"\b(?:virus|malware|spam|content|av) ?(?:scanner|scanning|scan|checker|filter)s?\b(?: \w+)?"
            r" (?:error|errors|timed? ?out|time-?out|unavailable|not available|not responding|(?:is )?down)\b",
            r"\b(?:error|failure|timeout) (?:connecting to|running|contacting|communicating with) (?:the |a |our )?"
            r"(?:virus|malware|spam|content|av) ?(?:scanner|scanning|checker|filter)",
            r"\binternal (?:spf|dkim|dmarc|arc|spam|virus|anti-?virus|filter|scanner|scanning) (?:error|failure)",
            r"\b(?:anti-?)?(?:virus|malware)[ _-]?(?:scan(?:ner|ning)?s?|check(?:er|ing)?|engines?) (?:\S+ )?(?:failed|failure)",
            r"(?:unable|could not|couldn't|cannot|can't|failed) to scan\b",
            r"problem (?:running|with|in) (?:the )?(?:anti-?)?(?:virus|malware|spam)[ -]?(?:scanner|filter|checker|engine)",
        ),
    ),
    # A gateway's security scanning (virus or content signatures) stopped the message:
    # "rejected due to security policies", "blocked by our email security scan".
    (
        "a security scan refused the message",
        "virusdetected",
        (r"(?:rejected|blocked|refused) (?:due to|by|per) (?:our |the |its )?(?:e-?mail )?security (?:polic|scan)",),
    ),
    # DMARC identifier alignment (RFC 7489 §3.1): the From: domain is not the one that
    # authenticated. Said before the RFC 5322 group: such replies cite RFC 5322 for the From:.
    (
        "From: domain not aligned with SPF/DKIM (DMARC)",
        "authfailure",
        (r"(?:not |isn't |un)aligned with (?:the |either )?(?:\w+ )?(?:authenticated|spf|dkim)",),
    ),
    # An unusual rate of (unsolicited) mail from our IP, domain or DKIM / SPF domain (Gmail
    # 4.7.28): a verdict on our reputation, even when it names the domain SPF or DKIM vouched for.
    (
        "an unusual rate of mail from us",
        "badreputation",
        (r"unusual (?:rate|volume|amount) of", r"(?:unusual|suspicious) sending activity"),
    ),
    # The message format itself was refused (RFC 5322 header rules): said first because
    # such refusals often mention DKIM or spam as the motive.
    (
        "message format breaks RFC 5322",
        "notcompliantrfc",
        (
            r"rfc ?5322",
            r"rfc ?3834",
            r"\b(?:message|mime|header)s? (?:has|have|with|contains?) (?:\w+ )?defects\b",
            r"rfc ?2822",
            r"not (?:rfc )?compliant",
            r"malformed header|(?:message|mail|header)s? (?:is |was )?malformed",
            r"duplicate header",
            # One header given twice ("more than one From header", "Duplicate Subject header").
            r"(?:multiple|duplicate|more than one|several|two) (?:from|to|cc|subject|date|message-?id|sender|reply-to):? (?:headers?|fields?)\b",
            r"multiple (?:from|to|subject|date|message-id)",
            r"header .{0,30}invalid",
            r"invalid [\w-]+:? header",
            # "Message contains invalid header", "Illegal character in headers", "bad header".
            r"\b(?:invalid|illegal|malformed|bad|broken) (?:\w+ )?headers?\b",
            r"(?:illegal|invalid) characters? in (?:the )?(?:message )?headers?",
            r"missing (?:a )?(?:valid |required )?(?:[\w-]+ )?header",
            r"bare <?(?:lf|cr|line[ -]?feed|carriage[ -]return)\b",
            # "Messages with multiple addresses in To: header", "... missing a valid address in
            # the From: header, or having no From: header" (RFC 5322 §3.6: one From, one Date).
            r"multiple addresses in (?:the )?(?:from|to|cc|sender|reply-to)\b",
            r"\b(?:missing|without|having no|has no|lacks?|lacking) (?:a |an |the )?(?:valid |proper |required )?(?:address in (?:the )?)?(?:from|to|date|subject|message-?id|sender):? (?:headers?|fields?)\b",
            # "Header syntax error in 'From' header", "syntax error in the Date: header".
            r"header syntax|syntax error in (?:the )?['\"]?[\w-]+['\"]?:? header",
            # RFC 5322 §2.1.1: lines of at most 998 characters.
            r"\blines? (?:is |are )?too long",
            r"\bheader (?:field |line )?(?:is |was )?too long",
            r"\bline length (?:exceeds|limit|over)|\b998 (?:characters|octets|bytes)",
            # A required header absent: "Message-ID header missing", "Date: header is required".
            r"\b(?:from|date|message-?id|subject|to|sender):? header (?:is )?(?:missing|absent|required|not found)",
            # ... with the header's name quoted: "Required header 'Date' missing".
            r"\bheader ['\"]?[\w-]+['\"]?:? (?:is )?(?:missing|absent|not found)\b",
            # "The Date header could not be parsed / is too old / is too far in the future".
            r"\bdate:? header (?:could not be parsed|(?:is |was )?(?:unparseable|too old|too far in the (?:future|past)|in the future))",
            r"\bheader parse error|\bparse error in (?:the |your )?(?:message )?headers?\b",
            # "We require a valid Date header".
            r"\brequires? (?:a |an )?(?:valid |proper )?(?:from|to|date|subject|message-?id|sender):? header",
            r"\bmust not (?:have|contain|carry) an? [\w-]+:? header\b",
            r"\b(?:mime )?boundary error\b|\b(?:bad|broken|missing|invalid) (?:mime )?boundary\b",
        ),
    ),
    # A domain block list (Spamhaus DBL and the URI lists): which domain was listed decides
    # the reason (our HELO name: blocked; our sender's: rejected; a link in the body: spam),
    # see settling.settle.
    (
        "a domain block list (DBL, URI lists) names a domain",
        "listed_domain",
        (r"spamhaus\.org/dbl|\bdbl\b|dbl\.spamhaus", r"\b(?:surbl|uribl)\b"),
    ),
    # An explicit spam verdict on the content, even when SPF/DKIM advice follows it.
    (
        "explicit spam verdict",
        "spamdetected",
        (
            r"rejected due to spam",
            r"\burls? in (?:this|the|your) (?:e-?mail|message|body)",
            r"listed (?:url|uri|link)s?\b|\b(?:url|uri|link)s? (?:is |are )?(?:black|block)?listed",
            # "URL in message is on a blocklist", "a link in the body is on our block list".
            r"\b(?:url|uri|link)s? in (?:the |this |your )?(?:message|e-?mail|body) (?:is |are )?(?:on|in) (?:a |an |the |our )?(?:block|black|deny) ?list",
            r"(?:blocked|blacklisted|blocklisted|malicious|forbidden|prohibited) (?:urls?|uris?|links?)\b",
            # "The message contains a url that has been blocked", "links identified as phishing".
            r"\b(?:urls?|uris?|links?) (?:that |which )?(?:has |have |is |are )?(?:been )?(?:blocked|black ?listed|block ?listed|flagged|identified as)\b",
            r"(?:classified|scored|detected|identified) as spam",
            r"spam classification",
            r"looks like spam",
            r"suspicious (?:links?|urls?|uris?)\b",
            # A verdict on the content itself ("rejected due to suspicious content"); a
            # message called suspicious for the sender's reputation is not this.
            r"suspicious (?:content|message content|e-?mail content)",
            # Gmail's 4.7.0 / 5.7.1: "suspicious due to the nature of the content or the links within".
            r"suspicious (?:due to|because of) the (?:nature of the )?(?:content|links?|urls?)\b",
        ),
    ),
    # The connecting host or its IP address is refused as such.
    (
        "sending host or IP refused",
        "blocked",
        (
            r"client host (?:\S+ )?(?:blocked|rejected)",
            # The sending IP or host banned or barred as such ("Your mail server's IP is banned").
            r"\b(?:ip|ip address|host|server)(?:'s)? (?:\S+ )?(?:is |has been |was )?(?:banned|barred)\b",
            # A block list named by its zone, or a delisting form to go to.
            r"\blisted (?:in|on|at|by) (?:the )?(?:[a-z0-9-]+\.)+[a-z]{2,}\b|\bde-?list",
            r"sperrliste|schwarze liste|ip-adresse (?:\S+ )?(?:ist |wurde )?(?:gesperrt|blockiert)|liste noire|lista negra|черн(?:ый|ом) спис|黑名单",
            r"blocked using",
            r"refused to talk to me",
            r"\bip\b.{0,40}\b(?:blocked|bloquee|black ?listed)\b",
            r"invalid ip",
            r"not (?:in|on) (?:the |our |an? )?(?:white|allow) ?list",
            r"\bip (?:address )?(?:you're|you are) using .{0,40}not (?:authori[sz]ed|allowed)",
        ),
    ),
    # A check of SPF / DKIM / DMARC that could not be completed (RFC 7208 §2.6.6
    # "temperror": a DNS lookup failed) says nothing against us yet: the lookup failed.
    (
        "SPF/DKIM/DMARC check could not complete (DNS)",
        "networkerror",
        (
            r"\b(?:spf|dkim|dmarc)\b[^.;]{0,40}\btemp ?error|\btemp ?error\b[^.;]{0,40}\b(?:spf|dkim|dmarc)\b",
            r"(?:temporary|transient) (?:dns )?(?:error|failure|deferral)[^.;]{0,40}\b(?:spf|dkim|dmarc)\b",
            # "SPF - no response", "DKIM key retrieval failed": the DNS query got no answer.
            r"\b(?:spf|dkim|dmarc)\b[^.;]{0,20}\bno (?:dns )?(?:response|answer)\b",
            r"\bdkim\b[^.;]{0,20}\bkey (?:retrieval|lookup|query|fetch) (?:failed|failure|error|timed out)",
            # "SPF check temporarily failed", "DKIM verification could not be completed".
            r"\b(?:spf|dkim|dmarc) (?:check|lookup|verification|validation|evaluation) (?:has )?(?:temporarily failed|timed out|could not (?:be )?(?:completed|performed))",
            # "SPF temporary error: DNS timeout", "DKIM temporary failure".
            r"\b(?:spf|dkim|dmarc)\b[^.;]{0,40}\b(?:temporary|transient)\b(?! (?:or|and) permanent)|\b(?:spf|dkim|dmarc)\b[^.;]{0,40}\bdns time ?out",
        ),
    ),
    # Sender authentication: SPF, DKIM, DMARC and friends (RFC 7208, 6376, 7489).
    (
        "sender authentication (SPF/DKIM/DMARC)",
        "authfailure",
        (
            r"\bspf\b",
            r"\bdkim\b",
            r"\bdmarc\b",
            r"sender policy framework",
            # SPF's verdict without its name: the host is not one the domain designates
            # ("can be accepted only from example.net's mail relays", "not a designated mail server for").
            r"\baccepted only from (?:\S+ ){0,3}?\S+'s (?:mail )?(?:relays|servers|hosts)\b",
            r"\bnot (?:an? )?(?:designated|permitted) (?:mail ?)?(?:server|relay|sender|host)s? for\b",
            # The SPF policy daemons' explanation link ("Please see http://www.openspf.net/Why?...").
            r"\bopenspf\b",
            # A DMARC policy named by its tag, or a From: domain that did not align (RFC 7489).
            r"\bp=(?:reject|quarantine)\b|(?:did not|didn't|does not|doesn't|fails? to) align\b",
            r"domainkeys",
            r"authentication checks? failed",
            r"unauthenticated (?:e-?mails?|mail|messages?)\b",
            # Gmail 5.7.26 / Yahoo 5.7.9 "the sender is unauthenticated": no SPF or DKIM passed
            # (SMTP AUTH of a client is "not authenticated", below in the security group).
            r"\bsender is unauthenticated\b",
            r"sender (?:id|authentication) (?:check |validation )?fail",
            # Sender ID (RFC 4406): the Purported Responsible Address check, "Sender ID (PRA) Not Permitted".
            r"\bsender ?id\b[^.;]{0,20}\b(?:not permitted|fail|softfail|hardfail)|\bpra\b",
            r"\barc\b (?:validation|check|seal|signature|fail)",
            r"(?:not|fails?|failed to) pass(?:es)? (?:the |our )?(?:\w+ )?authentication",
            # Anti-spoofing checks compare the From: domain with what authenticates it.
            r"anti-?spoof|\bspoof(?:ed|ing)?\b",
            # A receiver's sender-authentication requirements ("does not comply with our Domain
            # Authentication requirements", "doesn't meet the required authentication level").
            r"\b(?:domain|sender|e-?mail|message) authentication (?:requirements|polic(?:y|ies)|standards|level)\b",
            r"required authentication level",
        ),
    ),
    # The policy of the destination refuses this content (not spam, not a virus). Said
    # after the authentication group: "DMARC policy violation", "violates our policy on
    # unauthenticated mail" name the cause (authentication), the policy is only the frame.
    (
        "content refused by the destination's policy",
        "policyviolation",
        (
            r"content presents a potential",
            r"content restrictions?",
            r"content (?:[\w-]+ )?polic(?:y|ies)",
            r"(?:unacceptable|inappropriate|prohibited|forbidden|banned|disallowed) content",
            r"(?:inappropriate|forbidden|prohibited|banned|offensive|disallowed) (?:words?|language|material|text|terms?|phrases?)\b",
            r"\bsubject(?: line)? (?:is |was )?not (?:allowed|permitted|accepted)\b",
            r"\btoo many (?:mime |body )?parts\b",
            r"policy violation",
            r"violat(?:es|ed|ion of) (?:our |the )?(?:\S+ )?polic",
            # The message (not our host) refused under the organization's policy or by its
            # administrator: "Delivery blocked by organizational policy", "not allowed by the admin"
            # (the recipient's own administrator or settings are its filter, below).
            r"(?:message|e-?mail|mail|delivery)s? (?:was |is |has been )?(?:blocked|rejected|refused|denied|not (?:allowed|permitted|accepted)) (?:by|due to|per|under) (?!(?:the |this )?(?:recipient|user|addressee|mailbox)\b)(?:the |an? |your |our |local |site )?(?:[\w'-]+ ){0,2}(?:polic(?:y|ies)|administrators?|admins?)\b",
            # Recipients an organization's own policy blocks ("... recipients are blocked by your
            # organization's recipient block policy"): a rule of that policy, not a block list of our host.
            r"\brecipients? (?:is |are |was |were |has been |have been )?blocked by (?:the |your |our |its |their )?(?:[\w'’-]+ ){0,4}polic(?:y|ies)\b",
            # Data loss prevention rules of the destination's organization.
            r"\bdlp\b|data loss prevention",
            # The organization's own mail flow (transport) rules refused the message.
            r"\b(?:transport|mail ?flow) rules?\b",
        ),
    ),
    # The sending host has no usable reverse DNS (PTR) record, or its name does not
    # resolve back to the connecting IP ("host.example is not 192.0.2.1").
    (
        "no reverse DNS (PTR) for the sending host",
        "requireptr",
        (
            r"unverif(?:i|y)able sending ip",
            r"(?<![@\w.-])(?:[a-z0-9-]+\.)+[a-z]{2,} is not \d{1,3}(?:\.\d{1,3}){3}\b",
            r"reverse dns",
            r"\bptr\b",
            r"reverse (?:lookup|look-up|mapping|hostname)",
            r"\brdns\b",
            r"\bfc-?rdns\b|forward[- ]confirmed",
            r"cannot find your hostname",
            # "No DNS entries for your MTA, HELO and Domain": our host has no name in DNS.
            r"\bno (?:dns|ptr) (?:entry|entries|records?) for (?:your|the sending|the connecting) (?:mta|host|server|ip|client)",
            # sendmail's "Possibly forged hostname for <addr>": its name does not map back to it.
            r"\bforged (?:host ?name|hostname|ptr|rdns)",
            r"no reverse",
            r"ip name lookup failed",
            r"\bclient (?:host ?)?name lookup fail",
            r"client host (?:\S+ )?has no (?:dns|hostname)",
            r"hostname (?:does not|doesn't) resolve",
            r"unresolvable (?:ip|host)",
            r"not have a valid hostname",
            r"mismatch(?:es)? client ip",
            r"host ?name (?:does not|doesn't) match (?:the |your |its )?(?:ip|connecting|address)",
            r"\bhost name (?:does not|doesn't) match\b",
        ),
    ),
    # The *destination's* TLS could not be set up or verified: it offers no STARTTLS or its
    # TLS is broken ("454 4.7.0 TLS not available due to local problem", RFC 3207 §4), its
    # certificate expired, is untrusted or names another host, its TLSA records (DANE, RFC
    # 7672 §2.2: the sender then defers) or its MTA-STS policy (RFC 8461 §5: "the message is
    # not delivered", retried) do not validate. Nothing on the sender's side is wrong: a
    # server failure at the destination (soft), read before the demands of TLS below.
    (
        "the destination's TLS could not be set up or verified",
        "systemerror",
        (
            r"(?:starttls|tls) (?:is )?(?:temporarily )?(?:not available|unavailable) due to (?:a )?(?:local|temporary|server|internal) (?:problem|error|failure)",
            r"tls (?:handshake|negotiation)\b[^.;]{0,60}\b(?:failed|failure|error)",
            r"certificate[- ](?:expired|host[- ]mismatch|invalid|untrusted|revoked)",
            r"certificate (?:has )?(?:expired|is (?:invalid|expired|not trusted|untrusted|revoked|self-signed)"
            r"|(?:verification|verify|validation) failed|(?:could not|cannot|can't) be (?:verified|validated)|mismatch|not trusted)",
            r"(?:expired|invalid|untrusted|revoked|self-signed|mismatched) (?:server |remote |peer |tls |x\.?509 )?certificate",
            r"\bdane\b|\btlsa\b|\bdnssec\b",
            r"\bfail(?:ed|s)? (?:tls|certificate|cert) (?:verification|validation)|\btls (?:verification|validation) failed",
            r"\bmta-?sts\b",
        ),
    ),
    # The receiving side insists on TLS and our STARTTLS failed or was missing.
    (
        "TLS required or failed",
        "failedstarttls",
        (
            r"starttls",
            r"tls (?:is )?required",
            r"requires? tls",
            r"encryption required",
            r"secure connection required",
            # "This domain only accepts mail over TLS", "accepts messages only with encryption".
            r"\baccepts? (?:e-?mail |mail |messages |connections )?(?:only )?(?:over|via|with|using) (?:tls|ssl|encryption|an? (?:encrypted|secure) (?:connection|channel))\b",
            # Our side demands TLS (its own policy) and the destination offers none: the
            # sender's TLS configuration refused to send in the clear.
            r"(?:does not|doesn't) support tls",
            r"\bno (?:starttls|tls) (?:available|offered|advertised|support)",
            r"tls (?:is )?(?:not supported|unavailable)",
            # Gmail 4.7.29 and its kin: the message came over a connection without TLS.
            r"(?:not|wasn't|was not|isn't|is not) (?:sent |delivered |received )?(?:over|using|via|with|through) (?:a |an )?(?:tls|ssl|encrypted|secure)\b",
            r"(?:unencrypted|plain ?text|cleartext|insecure) (?:connections?|smtp|sessions?|channel)",
        ),
    ),
    # Attachments or content flagged as malware.
    (
        "virus or malware",
        "virusdetected",
        (
            r"\bvirus",
            r"malware",
            r"infected",
            r"trojan",
            r"\bworm\b",
            r"malicious",
            r"banned attachment",
            r"(?:illegal|prohibited|forbidden|disallowed|unacceptable|executable|suspicious|blocked|restricted|unsupported|bad|infected|malicious|harmful) (?:file )?attachments?",
            # An encrypted archive, which no scanner can open: "Message contains encrypted archive".
            r"\b(?:encrypted|password[- ]protected) (?:zip|rar|7z|archive|attachment)s?\b|\b(?:zip|archive)s? (?:is |are )?(?:encrypted|password[- ]protected)\b",
            r"attachments?(?: of (?:this|that) (?:type|kind))? (?:is |are |was )?(?:not allowed|not permitted|prohibited|blocked|forbidden|disallowed)",
            # "... does not accept attachments of this type", "we don't allow messages with attachments".
            r"(?:not|n't) (?:accept|allow|permit)s? (?:(?:e-?mails?|messages?) (?:with|containing) )?(?:the |this |these |such |an? )?(?:attachments?|attached files?)\b",
            r"(?:blocked|prohibited|forbidden|banned|disallowed|restricted|dangerous) file (?:types?|extensions?|names?)",
            r"dangerous attachment",
            # "An attachment on your message was found to be illegal".
            r"\battachments? (?:\w+ ){0,5}(?:was |were |is |are )?(?:found to be |considered )?(?:illegal|prohibited|forbidden|banned|dangerous|unsafe)\b",
            r"\bexecutable (?:files?|content|programs?|code)\b",
            r"unsafe attachment",
            r"attachment (?:type|extension|file type)s? (?:is |are )?(?:not allowed|not permitted|prohibited|blocked)",
        ),
    ),
    # RFC 7505 §4.3: the *sender's* domain publishes a null MX (a refusal of our sender).
    # The sender's own address or domain is listed or banned (a domain blocklist or the
    # receiver's own deny list): the sender is refused, not our sending host.
    (
        "sender address or domain listed or without mail",
        "rejected",
        (
            r"sender(?:'s)? (?:(?:e-?mail )?address |(?:address |e-?mail )?domain )(?:has |with )?(?:a )?(?:null mx|no (?:mx|a|dns|valid)\b)",
            # The same with the domain named: "Sender domain example.org has no valid DNS
            # record", "Sender domain must exist", "... does not resolve".
            r"sender(?:'s)? (?:address )?domain (?:<?[\w.-]+>? )?(?:must (?:exist|resolve)|(?:does not|doesn't|did not) resolve|has no (?:valid )?(?:dns|mx|a)\b|(?:is )?(?:not resolvable|unresolvable))",
            r"(?:from|sender|sending) (?:this |your |the )?domain (?:is |has been )?(?:blocked|banned|black ?listed|block ?listed)",
            # Our envelope sender listed by the receiver: "sender envelope address a@b is locally blacklisted".
            r"\bsender (?:envelope )?address (?:<?\S+>? )?(?:is|was|has been) (?:locally )?(?:black|block|deny)listed\b",
            r"\byour (?:sending |sender )?domain (?:is |has been )?(?:blocked|banned|black ?listed|block ?listed)",
            r"\bsender(?:'s)? (?:e-?mail )?(?:address|domain) (?:is |was |has been )?(?:on|in|listed|black ?listed|block ?listed|banned)\b",
            # ... with the address or documentation's placeholder between ("Sender $SenderAddress is blocked").
            r"\bsender (?:(?:address )?(?:<[^>]{0,100}>|\{[^}]{1,40}\}|\$\w+|[^\s@]+@[\w.-]+) )?(?:is |was |has been )?(?:blocked|banned|black ?listed|block ?listed)\b",
            r"\b(?:banned|black ?listed|block ?listed|deny ?listed|denied) senders?\b",
            r"\bsender (?:is |was |has been )?(?:on|in) (?:a|an|the|our) (?:deny|block|black) ?list",
            # Our envelope sender's form ("The sender address <s> is not a valid RFC 5321 address").
            r"\bsender address (?:\S+ )?is not a valid\b",
            # "... does not accept messages from your sender domain".
            r"\bfrom (?:your |the |this )sender(?:'s)? (?:e-?mail )?(?:domain|address)\b",
            # "Recipient does not accept mail from your domain": our sender's domain, not our host.
            r"(?:not|n't) accept(?:s|ed|ing)? (?:e-?mails?|mail|messages?) from (?:your|this|the sender'?s?) (?:sending |sender )?domain\b",
            r"(?:mail|messages?|e-?mails?) (?:sent )?(?:by|from) (?:this|your|the sender'?s?) domain (?:is |are |has been |have been |was |were )?(?:rejected|refused|blocked|not accepted)",
            # Bounces refused as such ("does not accept bounces", "invalid bounce"): our null sender.
            r"\b(?:not|n't) accept (?:any )?(?:bounces|bounce messages|dsns|ndrs|delivery status notifications|(?:the )?null senders?|(?:the )?null reverse-?path)\b",
            r"\bbounces? (?:are |is )?not (?:accepted|allowed|wanted)\b|\b(?:invalid|bogus|fake|unsolicited) (?:bounce|dsn|ndr)s?\b",
            # RFC 7505 §4.3 said of the sender's domain: "Null MX: example.net does not send mail".
            r"\b(?:does not|doesn't|do not|don't|never) sends? (?:any )?(?:e-?)?mail\b",
            # Our login or host may not use this envelope sender ("SMTP user u is not authorized to use
            # MAIL FROM x", "an unauthorized MAIL FROM", "internal senders are not authorized to use d").
            r"\bnot (?:authori[sz]ed|allowed|permitted) to (?:use|send (?:as|from)) (?:the |this |that )?(?:mail from|sender|envelope|from address)",
            r"\bunauthori[sz]ed (?:mail from|envelope sender|sender address|from address)\b",
            r"\bsenders? (?:are |is )?not (?:authori[sz]ed|allowed|permitted) to use\b",
        ),
    ),
    # Our own sending account is switched off or barred from sending (a submission or relay
    # service refusing us): a refusal of the sender, said before the recipient-account rules
    # below would read "account is disabled" as the recipient's.
    (
        "our sending account disabled or barred",
        "rejected",
        (
            r"(?:sender|sending|outgoing|outbound) (?:e-?mail |mail )?(?:account|mailbox) (?:is |was |has been )?(?:\w+ )?(?:disabled|suspended|blocked|locked|deactivated|not registered)",
            # A reply is addressed to the sender: "your account" is ours, not the recipient's.
            r"\byour (?:e-?mail |mail |sending )?(?:account|mailbox) (?:is |was |has been )?(?:\w+ )?(?:disabled|suspended|blocked|locked|deactivated|frozen|closed|banned)",
            # ... or unknown to the submission service we logged in to ("Your account does not exist").
            r"\byour (?:e-?mail |mail |sending |user )?account (?:(?:does not|doesn't) exist|(?:is |was )?(?:unknown|not found))",
            r"\b(?:mail |e-?mail )?sending (?:is |has been )?denied",
            # A sending service pausing our account ("Sending paused for this account").
            r"\bsending (?:is |has been )?(?:paused|suspended|disabled) for (?:this|your) account",
            r"\boutgoing (?:mail |e-?mail )?(?:is |has been )?blocked",
            # Exchange Online 5.1.8 "Access denied, bad outbound sender": our account sent spam.
            r"\bbad outbound sender\b",
            # "The user has been blocked from sending messages because of suspicious activity".
            r"\b(?:blocked|barred|restricted|prevented|banned) from sending\b",
        ),
    ),
    # A mailbox switched off says so before any "not accepting messages" that follows.
    (
        "mailbox switched off",
        "suspend",
        (
            r"\b(?:mailbox|account) (?:is |has been )?(?:disabled|deactivated|suspended|closed)\b",
            # "This mailbox has been blocked due to inactivity": switched off for lack of use.
            r"(?:blocked|locked|disabled|suspended|closed|deactivated|frozen) (?:due to|because of|for) (?:\w+ )?inactivity",
            # Gmail: "The email account that you tried to reach is inactive (and not accepting mail)".
            r"(?:account|mailbox|address) (?:that )?you tried to reach is (?:disabled|inactive|suspended|deactivated|locked)",
            # Postfix-style "Recipient address rejected: Address disabled" (the recipient's).
            r"recipient address rejected: (?:address|account|mailbox|user) (?:is |has been )?(?:disabled|deactivated|suspended|locked)",
        ),
    ),
    # Null MX (RFC 7505) and domains that declare they take no mail.
    (
        "domain accepts no mail (null MX)",
        "notaccept",
        (
            r"null mx",
            # "... from your domain / from you" refuses a sender, not mail as such.
            # "... does not accept email over IPv6 / via this route" refuses a way of sending, not mail.
            r"(?:does not|doesn't) (?:accept|receive) (?:e-?)?mails?(?! from| over| via| using| through)",
            r"not accepting (?:network )?messages(?! from)",
            r"accepts no mail",
            r"no mx (?:record )?(?:found|for)|\bno (?:valid |usable )?mx(?: records?)?\b",
            r"no mail hosts? (?:for|found)",
            r"no mail exchanger",
        ),
    ),
    # Relay refused: the server is not the destination's MX and won't forward.
    (
        "relaying refused",
        "norelaying",
        (
            r"relay(?:ing)? (?:of (?:e-?mails?|mail|messages?) )?(?:is )?(?:access )?(?:denied|not permitted|prohibited|not allowed|disallowed)",
            r"unable to relay",
            r"\brelay(?:ing)? (?:access )?(?:is )?(?:refused|rejected|forbidden|denied)\b",
            r"\bwe (?:do not|don't|won't|will not) relay\b",
            # In the languages providers localize it into (German, French, Spanish, Russian, Chinese).
            r"\brelay(?:ing)? (?:nicht|verweigert|untersagt)|\brelais (?:refus|interdit|non autoris)|retransmisi(?:ó|o)n (?:denegada|no permitida)|ретрансляц\w* запрещ|(?:不允许|禁止)(?:转发|中继)",
            r"not (?:permitted|allowed|authorized) to relay",
            r"rcpthosts",  # qmail: the domain is not in its list of domains it accepts
            r"relaying (?:mail )?(?:to \S+ )?(?:is )?not (?:allowed|permitted)",
            r"insecure mail relay",
            r"no relaying",
            r"\(no relay(?:ing)?\)|\bnot an open relay\b|\b(?:mail|messages?) for (?:that |this )?\S+ (?:is |are )?not accepted here\b",
            # "Relay from your host to example.org is not authorized", "Relaying is restricted to
            # authenticated users".
            r"\brelay(?:ing)? (?:from|for|to) [^;]{0,60}\bnot (?:authori[sz]ed|allowed|permitted)\b",
            r"\brelay(?:ing)? (?:is )?(?:restricted|limited|only (?:allowed|permitted))\b",
            r"cannot relay",
            r"\bunauthori[sz]ed relay(?:ing)?\b",
            r"(?:not|isn't) (?:configured|allowed|permitted) to relay",
            # "You are trying to use me [host] as a relay, but I have not been configured..."
            r"\b(?:use|using) (?:me|this (?:server|host|system|mx)) (?:\[[^\]]{0,80}\] )?as an? (?:relay|smarthost)",
            # Amazon SES refuses to relay for a sender or recipient identity not verified
            # in the account ("Email address is not verified. The following identities...").
            r"identities failed the check",
            r"email address is not verified",
        ),
    ),
    # The mailbox moved and the server says so (RFC 3463 X.1.6 wording and variants).
    (
        "mailbox moved",
        "hasmoved",
        (
            r"has moved",
            r"mailbox moved",
            r"no forwarding address",
            r"address (?:has )?changed",
            r"moved permanently",
            # RFC 5321 §3.4 reply 551: "User not local; please try <forward-path>".
            r"user not local",
        ),
    ),
    # The recipient's mailbox is over its quota.
    (
        "mailbox full",
        "mailboxfull",
        (
            r"(?:mail ?box|inbox) (?:is )?full",
            # "Insufficient storage in recipient's inbox", "Storage limit reached for this mailbox".
            r"(?:insufficient|not enough|no) (?:storage|space|room) (?:in|on|for) (?:the |this |their |his |her )?(?:recipient'?s? |user'?s? )?(?:inbox|mailbox|account)",
            r"(?:storage|size|space|quota) (?:limit )?(?:reached|exceeded) (?:for|on|of|in) (?:the |this |their |his |her |recipient'?s? )?(?:mailbox|inbox|account)",
            r"quota d(?:é|e)pass(?:é|e)|quota (?:excedido|superato|(?:ü|ue)berschritten)|переполнен|空间不足|容量不足",
            r"mailbox (?:size|storage) (?:limit|quota|exceeded)",
            r"over (?:the )?(?:disk |storage |mailbox )?quota",
            r"quota (?:is )?(?:exceeded|exceed|full|used up|exhausted)",
            r"exceeded (?:the |their |his |her )?(?:storage|quota|mailbox)",
            r"(?:mailbox|account|inbox) (?:is )?over",
            r"disk quota",
            r"mailbox has exceeded",
            r"(?:storage|mailbox) (?:allocation|limit) exceeded",
            r"full mailbox",
            r"user is over",
            r"mail box space",
            r"not enough (?:storage|space)",
            r"postfach (?:ist )?voll|speicherplatz|bo(?:î|i)te (?:aux lettres |de r(?:é|e)ception )?(?:est )?pleine",
            r"buz(?:ó|o)n (?:est(?:á|a) )?lleno|caixa (?:postal )?(?:est(?:á|a) )?cheia|casella (?:(?:di posta|postale) )?piena|casella\b[^.;]{0,30}\b(?:è|e) piena",
            r"mailbox (?:is )?vol\b|skrzynka (?:jest )?pe(?:ł|l)na|ящик переполнен|容量(?:を)?超|邮箱已满",
            r"quotaexceeded",
            r"mailbox exceeds",
            # "Message for <r> would exceed mailbox quota": the recipient's storage, said of this message.
            r"exceeds? (?:the |their |his |her |its |this )?(?:mailbox|user'?s?|recipient'?s?|account'?s?) (?:storage )?quota",
            r"(?:inbox|mailbox|account)\b.{0,30}\b(?:out of|no more|insufficient|not enough) (?:storage|space|room)",
            r"(?:recipient|user|mailbox|account|inbox)(?:'s)? (?:storage|space|disk) (?:is )?full",
            r"(?:size limit|storage|space|quota) (?:of|for) (?:the |his |her |this |their |recipient'?s? )?(?:mailbox|inbox)",
        ),
    ),
    # The headers (one or all) are bigger than the receiver takes (RFC 3463 X.2.3 / X.3.4
    # "message length exceeds administrative limit"): a size limit on part of the message.
    (
        "header size limit",
        "exceedlimit",
        (
            r"header size",
            r"headers? (?:that |which )?exceeds?\b",
            r"\bper (?:individual )?header\b",
        ),
    ),
    # One message is bigger than the receiver takes.
    (
        "message too large",
        "mesgtoobig",
        (
            r"(?:message|attachment|e-?mail|mail)s? (?:is |are )?too (?:big|large)",
            # A size in bytes or megabytes set against the limit ("SIZE 73400320 is more than
            # the 50 MB we accept", "Messages over 25 MB are not accepted", RFC 1870).
            r"\b(?:over|above|more than|larger than|bigger than|exceeds?) (?:the |our )?\d+(?:\.\d+)? ?(?:[kmg]i?b|bytes|megabytes|kilobytes)\b",
            r"\bsize \d+ (?:is )?(?:more|larger|bigger|greater) than\b",
            # "Message size (52428800) exceeds the maximum", "bigger than the limit".
            r"\bsize (?:\(\d+\) |of \d+ \w+ )?exceeds?\b",
            r"\b(?:larger|bigger) than (?:the |our |its |this server's )?(?:\w+ )?(?:limit|maximum|allowed)",
            r"trop (?:volumineux|gros)|taille du message|taille (?:maximale|limite) d(?:é|e)pass|(?:nachricht|e-?mail) (?:ist )?zu gro(?:ß|ss)|demasiado grande|troppo grande|слишком больш",
            r"size (?:of (?:the )?message )?exceeds",
            r"exceeds (?:the )?(?:maximum )?(?:message )?size",
            r"message (?:length|size) (?:\([^)]*\) )?(?:exceeds|limit)",
            # RFC 3463 X.2.3's own words: "Message length exceeds administrative limit".
            r"exceeds? (?:the |an? )?administrative limit",
            r"too large for this",
            r"line limit exceeded",
            r"mail size limit",
            r"message exceeds",
            r"(?:message|e-?mail|mail) is (?:larger|bigger) than",
            r"(?:max(?:imum)?|allowed) (?:e-?mail |message |mail )size",
            r"(?:e-?mail|message|mail) size (?:limit )?(?:exceeded|too)",
            r"too much (?:mail |message )?data",
        ),
    ),
    # The account exists but is switched off: disabled, suspended, locked, inactive.
    (
        "account disabled, suspended or locked",
        "suspend",
        (
            r"account (?:has been |is |was )?(?:temporarily |permanently )?(?:disabled|suspended|locked|deactivated|inactive|frozen|closed|blocked|terminated|expired)",
            r"mailbox (?:has been |is )?(?:temporarily |permanently )?(?:disabled|suspended|inactive|locked|deactivated|expired)",
            r"temporar(?:y|ily) locked",
            r"(?:account|mailbox|recipient) (?:is )?not active",
            r"inactive (?:user|account|mailbox)",
            r"(?:user|recipient) (?:is |has been )?(?:suspended|disabled|inactive|terminated|deactivated|locked)",
            r"(?<!ip )\b(?:e-?mail )?address (?:is |has been )?(?:locked|deactivated|suspended)\b",
            r"suspended (?:user|account)",
            r"disabled (?:user|account|mailbox)",
            r"service (?:is )?(?:suspended|stopped) for",
            r"(?:mailbox|account) is frozen",
            # The receiver has barred this very address ("banned recipient", "user is banned"):
            # the account is switched off there, which says nothing of whether it exists.
            r"\bbanned (?:recipient|user|account|mailbox|addressee)\b|\b(?:recipient|user|account|mailbox) (?:is |has been |was )?banned\b",
            r"\b(?:account|mailbox|address|user) (?:is )?no longer active\b",
            # In the languages providers localize it into (German, Spanish, French, Italian, Portuguese).
            r"(?:postfach|konto|benutzerkonto) (?:ist |wurde )?(?:deaktiviert|gesperrt|stillgelegt)|cuenta (?:desactivada|suspendida|bloqueada)",
            r"compte (?:d(?:é|e)sactiv(?:é|e)|suspendu|bloqu(?:é|e))|account (?:disattivato|sospeso)|conta (?:desativada|suspensa)",
        ),
    ),
    # The recipient (or its organization) accepts mail only from some senders, and we are
    # not one (said before the block-list group, whose "not accept mail from" it shares): Exchange's delivery restrictions (RESOLVER.RST.*) and their wording elsewhere.
    (
        "the sender is not allowed to send to this recipient (delivery restrictions)",
        "rejected",
        (
            r"resolver\.rst\.(?:notauthorized|authrequired|sendernotauthenticated\w*|restricted\w*)",
            r"delivery restriction",
            # "... the recipient's organization restricts who can send to it".
            r"\brestrict(?:s|ed)? (?:who|which senders) (?:can|may) send",
            # Google Groups: "... or you may not have permission to post messages to the group".
            r"permission to post (?:messages )?to (?:the|this) group",
            # Exchange's restricted recipients: "... require sender authentication, but the sender
            # hasn't been authenticated" (RESOLVER.RST.AuthRequired).
            r"requires? sender authentication|\bsender (?:hasn't|has not) been authenticated",
            r"(?:not|n't) (?:authori[sz]ed|allowed|permitted) to send (?:e-?mail |mail |messages )?to (?:this|the)",
            # Groups open to their members only ("restricted to members", "Only members can post"),
            # organizations that take mail only from inside ("... from outside the organization").
            r"\brestricted to (?:its |group )?members\b|\bonly (?:group )?members (?:can|may) (?:post|send)",
            # Mailing lists open to their members ("Non-members are not allowed to post", "Post by non-member").
            r"\bnon-?members? (?:are |is )?not (?:allowed|permitted) to (?:post|send)|\bpost(?:ing)? by (?:a )?non-?member",
            r"(?:not|n't) accept (?:e-?mail |mail |messages )?from (?:people |senders )?outside (?:the|its|their|your) organi[sz]ation",
            r"\bsender (?:was |is )?not (?:authenticated|authori[sz]ed) (?:for|by|to)\b",
            # Mail accepted only from inside the organization or from listed senders.
            r"(?:only )?accepts? (?:e-?mail |mail |messages )?(?:only )?from (?:internal|authenticated|authori[sz]ed|approved|allowed|permitted|known) senders",
            r"(?:external|outside|internet|non-?member|unknown) senders? (?:are |is )?(?:not (?:allowed|permitted|accepted)|rejected|refused)",
            r"(?:not accept|rejects?|refuses?) (?:e-?mail |mail |messages )?from (?:external|outside|internet|non-?member) senders",
            # "Messages from outside the company are not allowed".
            r"\b(?:messages?|mail|e-?mails?) from outside (?:the|its|their|your|our|this) (?:organi[sz]ation|company|domain)s? (?:is |are )?(?:not (?:allowed|accepted|permitted)|refused|rejected)",
        ),
    ),
    # The recipient's own settings refused us ("blocked by user preferences", "... by the
    # recipient's filter rules"): a filter of that mailbox, not a block of our host.
    (
        "the recipient's own filter settings",
        "filtered",
        (
            r"(?:blocked|rejected|refused|filtered) (?:by|per|due to) (?:the |this )?(?:user|recipient|mailbox owner|addressee)(?:'s)? (?:own )?(?:preferences|settings|filters?|filter rules|rules|(?:allow ?/ ?)?block ?list|(?:blocked |allowed )?senders? list|administrators?|admins?)",
            # "The attempted recipient's preferences / privacy settings prevent messages from being delivered".
            r"(?:user|recipient|mailbox owner|addressee)(?:'s)? (?:own )?(?:preferences|(?:privacy |mail |delivery )?settings|filter rules) (?:prevent|block|reject|refuse|do not allow|don't allow)",
            # The recipient blocked us themselves: "The recipient has blocked mail from you".
            r"\b(?:the )?(?:user|recipient|addressee) (?:has )?(?:blocked|blacklisted|refused) (?:all )?(?:e-?mails?|mail|messages) from (?:you|your address|this sender|the sender)\b",
        ),
    ),
    # Our IP or domain is listed as a spam source or has a bad reputation.
    (
        "sender reputation",
        "badreputation",
        (
            r"reputation",
            r"sender score",
            r"\b(?:poor|bad|low|negative) (?:sending |mail |e-?mail )?(?:history|standing)\b",
            # A reputation score by another name: "very bad karma score: -8".
            r"\bkarma\b",
            r"\bsbrs\b",
            r"\bsender ?base\b",
            r"user complaints",
            r"\bspam (?:reports|complaints)\b|(?:too many|excessive) (?:spam |user )?(?:reports|complaints)\b",
            r"(?:due to|because of|following) (?:\w+ )?complaints\b",
            r"(?:high|excessive) (?:bounce|complaint) rates?",
            r"unexpected volume",
            # "The mail server IP ... has exhibited behavior suspicious of spam / namespace mining".
            r"\bexhibited (?:\w+ ){0,3}behaviou?r",
        ),
    ),
    # Too many connections or messages from us right now.
    (
        "too many connections",
        "toomanyconn",
        (
            r"too many (?:open )?(?:connections|concurrent|simultaneous|parallel|sessions|smtp sessions)",
            r"maximum number of (?:concurrent |simultaneous )?(?:server |smtp )?connections",
            r"connection (?:count )?(?:limit|rate limit)",
            r"too many hosts",
            r"maximum (?:number of )?(?:concurrent |simultaneous |parallel )?(?:smtp )?connections",
            r"zu viele (?:gleichzeitige )?verbindungen|trop de connexions|demasiadas conexiones|troppe connessioni|слишком много (?:соединений|подключений)|连接数过多|连接过多",
            r"frequency limit",
            r"\bconnect(?:ion)?s? (?:limited|frequency)",
            r"(?:max(?:imum)?|too many) (?:number of )?(?:messages?|mails?) per (?:connection|session)",
            r"throttl\w* (?:connections|sessions)",
        ),
    ),
    (
        "sending rate",
        "speeding",
        (
            r"rate ?limit",
            r"sending rate",
            r"(?:sending|send|mail|e-?mail) frequency",
            r"throttl",
            r"too many (?:messages|mails|emails|requests|recipients this)",
            r"rate of (?:e-?mail|messages)",
            r"slow down",
        ),
    ),
    # The content looks like spam.
    (
        "spam words",
        "spamdetected",
        (
            r"\bspam\b",
            r"spam(?:my| detected|assassin)",
            # The verdict in the languages providers localize it into (German, Russian, Chinese, French).
            r"spamverdacht|als spam|спам|垃圾邮件|pourriel|courrier ind(?:é|e)sirable",
            r"\bjunk\b",
            r"\bphish",
            r"\bno solicit(?:ing|ations?)\b",
            r"unsolicited",
            r"\bube\b",
            r"\buce\b",
            r"bulk (?:e-?)?(?:mail|messages?)\b",
            r"content (?:was )?(?:rejected|refused) as",
            r"message (?:was )?classified as",
            # A content filter that quarantined or refused the message judged its content.
            r"content filter(?:ing)?\b.{0,30}\b(?:quarantin|reject|block|refus)",
            r"(?:quarantined|rejected|blocked|refused|stopped|bounced) (?:by|due to) (?:our |the |a |its )?(?:content|spam|junk|anti-?spam) filter",
            r"(?:message|e-?mail|mail) (?:was |has been |is )?quarantined",
            r"scored too high",
            # A filter's score over its threshold ("spam score exceeded", "postfwd score exceeded").
            r"\bscore (?:exceeded|too high|(?:is )?(?:over|above) (?:the )?(?:limit|threshold))",
            r"high probability of",
            r"content (?:rejected|denied)",
            r"blacklisted (?:url|link)",
            r"\buribl\b",
        ),
    ),
    # The sending host/IP is refused: block lists, open relay suspicion, firewall rules.
    # A socket error quoted as the reason of a relay attempt ("... during fwd-connect
    # (Connection refused)"): the TCP connect failed, no policy of the receiver spoke.
    (
        "a socket error in parentheses",
        "connect_failed",
        (r"\((?:connection (?:refused|timed out|reset by peer)|no route to host|network is unreachable)\)",),
    ),
    (
        "block list or blocked host",
        "blocked",
        (
            r"blacklist(?:ed)? (?:by|at|on)|blocklist",
            r"\bblock(?:ed|listed)? (?:by|using|for|from|due)",
            r"(?:ip|host|client|server|connection)s? (?:has been |is |was )?(?:blocked|banned|blacklisted|refused|rejected|not allowed)",
            r"\b(?:rbl|dnsbl|spamhaus|spamcop|sorbs|barracudacentral|abusix|uceprotect|spamrats|psbl)\b",
            r"\bblacklist\b",
            r"\bblock ?listed\b|\bon (?:our|the|a) block ?list",
            r"too many (?:bad|unknown|invalid) recipients|excessive unknown recipients",
            r"(?:is|are|was|been|currently) (?:black|block)?listed (?:in|on|at|by)",
            # An address literal listed by the receiver itself: "192.0.2.1 is blacklisted from delivering".
            _IPV4 + r" (?:is|was|has been) (?:locally )?(?:black|block|deny)listed\b",
            r"(?:messages?|mails?|e-?mails?|connections?) from " + _IPV4,
            r"\bip (?:address )?(?:\S+ )?(?:is )?not (?:permitted|allowed|authori[sz]ed) to (?:send|connect|relay)",
            r"(?:messages?|mail|e-?mails?|connections?) from (?:this|your|the sending|the connecting) (?:ip|host|server|network|mta)\b",
            r"banned sending ip",
            r"open relay",
            # The connecting address described as such: "hostile IP", "dynamic IP" (end-user ranges).
            r"\b(?:hostile|abusive|dynamic|residential) (?:ip|host|client)s?\b",
            r"your (?:ip|network|server)",
            # ... unless what is refused is our sender ("Not accepting mail from this sender").
            r"(?:not|never|no longer) accept(?:ed|ing)? (?:e-?mail|mail|messages|connections?) from(?! (?:this|the|that|your) sender)",
            # "Connection rejected by policy", "... denied for your address"; a bare
            # "Connection refused by mx.example" is the TCP connect failing (networkerror).
            r"connection (?:refused|rejected|denied) (?:by (?:policy|(?:the )?administrator|(?:local |site )?rules?|(?:our |the )?(?:firewall|filters?))|from|for)",
            r"has been blocked",
            r"domain (?:is )?blocked",
            r"relay quota",
            r"service unavailable;? client",
            # "Your access to this mail system has been rejected" (our client, as such).
            r"your access\b.{0,60}\b(?:rejected|denied|refused|blocked)",
            r"black ?hole",
            r"\bblocked\b",
        ),
    ),
    # The domain refused is our sender's (MAIL FROM or the From: header), not the
    # recipient's: a refusal of the sender, said before the domain rules below.
    (
        "sender domain does not exist",
        "rejected",
        (
            r"from: (?:address|domain) (?:is )?(?:invalid|not found|unknown|does not exist|rejected)",
            r"sender (?:address )?(?:rejected: )?domain (?:is )?(?:invalid|not found|unknown|does not exist)",
            r"domain of sender address .{0,80}(?:does not|doesn't) (?:exist|resolve)",
            r"(?:valid|real|resolvable|existing|fully[- ]qualified) (?:sender|from) (?:domain|address)",
            r"(?:sender|user|client) (?:is |was )?not (?:authori[sz]ed|allowed|permitted) to send (?:from|as|mail from|on behalf)",
            # The sender itself not authorized (said before the security group's "not authorized").
            r"\bsender (?:address )?(?:is |was )?not (?:authori[sz]ed|permitted)\b(?! by)",
            r"permissions? to send|\bsend (?:mail )?(?:as|on behalf of)\b",
            r"unresolvable (?:rfc[ .]?5321 )?(?:from|sender) (?:domain|address)",
            # "... because the RFC5321 from domain does not resolve" (the MAIL FROM domain).
            r"(?:rfc[ .]?5321 )?(?:from|sender|mail from) domain (?:\S+ )?(?:does not|doesn't|did not|cannot|could not) (?:be )?resolve",
            r"(?:domain|domain name|fqdn) (?:is )?required for (?:the )?sender",
            # Exim's sender verification, said at RCPT: "Verification failed for <sender>"
            # followed by why the sender did not verify ("Unrouteable mail domain ...").
            r"verification failed for <",
        ),
    ),
    # DNS trouble while routing is a network error, not proof the domain is gone.
    (
        "DNS lookup failed",
        "networkerror",
        (
            r"dns error",
            r"name server reply",
            r"dns server reply",
            r"not found, try again",
            r"temporary failure in name",
            r"dns (?:lookup )?(?:timed out|timeout|servfail)",
            r"\bservfail\b",
            r"(?:host|dns|mx) lookup (?:did not|didn't) complete",
            # "DNS query failed", "Temp. resolver error (ETIMEOUT)" ("DNS lookup failure" is read below,
            # with the unknown hosts it mostly reports).
            r"\bdns (?:lookup|query|resolution) (?:failed|error)(?![^;]{0,80}\b(?:not found|(?:does not|doesn't) exist|no such|nxdomain))",
            r"\bresolver (?:error|failure|timeout)\b",
        ),
    ),
    # A lookup of a name in the DNS that failed ("MX lookup failure for <domain>", "host
    # lookup failed") or found broken mail records ("Illegal MX record for host"): the name
    # exists, its DNS does not route mail now. Whose name it was follows from the stage
    # (``codes.LOOKUP_FAILED``); never proof that a domain does not exist.
    (
        "a name's DNS lookup failed or its MX records are broken",
        "lookup_failed",
        (
            r"\b(?:illegal|invalid|bad|broken|bogus|misconfigured|malformed) mx (?:record|host|entr(?:y|ies))s?\b",
            r"\bmx (?:records? )?(?:is |are )?(?:misconfigured|broken|invalid|malformed)\b",
            r"\b(?:mx|host|domain|a|aaaa) (?:record )?lookup (?:failure|failed|error)",
            r"\b(?:could not|cannot|unable to) (?:look ?up|query) (?:the )?(?:mx|host|domain)\b",
        ),
    ),
    # The receiving domain does not exist or has no mail servers.
    (
        "recipient domain does not exist",
        "hostunknown",
        (
            r"host (?:or domain name )?(?:not found|unknown)",
            r"unknown host",
            # "nonexistent domain", Exim's "MX records point to non-existent hosts".
            r"non-?existent (?:domain|host)",
            r"domain (?:not found|unknown)",
            r"no such domain",
            r"\bdomain\b[^.;]{0,40}\bis not registered\b|\bunregistered domain\b",
            r"domain (?:does not|doesn't) exist",
            r"domain name not found",
            r"unrout(?:e)?able (?:domain|address)",
            r"dns lookup failure",
            r"name or service not known",
            r"nxdomain",
            r"bad destination system",
            r"invalid domain",
            r"unknown domain",
            r"domain (?:is )?invalid",
            r"no such host",
            r"could not resolve",
            r"domain (?:name )?(?:could not|cannot) be (?:found|resolved)",
            r"domain (?:is )?not reachable",
            r"domain may not exist",
            r"(?:dns|host) name (?:does not|doesn't) exist",
            # An address whose domain is a single label ("user@localhost"): no such domain
            # on the Internet (Exchange sends it as 5.1.6).
            r"single[- ]label domains?",
            r"(?:find|resolve|locate) the (?:recipient(?:'s)?|destination) domain",
            r"(?:recipient|destination) domain (?:is )?(?:not found|unknown|invalid|does not exist|doesn't exist)",
            # "553 mx.example.org does not exist": the reply's subject is a bare domain name
            # (right after the reply code, or named as the domain), not an address.
            r"\b[45][0-9][0-9](?:[ -][45]\.[0-9]{1,3}\.[0-9]{1,3})? <?(?:[a-z0-9-]+\.)+[a-z]{2,}>? does not exist",
            r"domain (?:name )?<?(?:[a-z0-9-]+\.)+[a-z]{2,}>? does not exist",
        ),
    ),
    # The mailbox (local part) does not exist.
    (
        "no such user",
        "userunknown",
        (
            r"user (?:name )?unknown",
            # Exim's "recipient verify failed": the address did not route to a mailbox.
            r"recipient (?:address )?verif(?:y|ication) failed",
            r"unknown (?:user|recipient|local ?part|address|mailbox|account)",
            r"no such (?:user|recipient|mailbox|account|address|local user|local ?part)",
            r"\b(?:do not|don't) know (?:this|that|the|such an?) (?:user|recipient|address|mailbox)\b",
            r"(?:address|user|recipient|mailbox|account) (?:is )?not known\b",
            r"\bno one (?:at|by) (?:this|that) (?:address|name)\b",
            r"\b(?:address|user|recipient|mailbox|account) (?:is )?not (?:present|listed|registered) (?:in|on|at|with)\b",
            r"\b(?:address|account|mailbox|user) (?:has been|was) (?:removed|deleted)\b",
            # ... unless what was not found is a host, server or domain ("the recipient's mail
            # server could not be found"), or the address is an IP address.
            r"(?<!ip )\b(?:recipient|addressee|mailbox|account|address|user)\b(?:(?!domain|server|host|\bmx\b)[^.;]){0,30}\b(?:couldn't|could not|cannot|can't) be (?:found|routed)",
            r"user (?:not found|doesn't exist|does not exist)",
            # The same with the address (or documentation's placeholder for it) in between.
            r"\buser (?:<[^>]{1,100}>|\{[^}]{1,40}\}|\[[^\]]{1,100}\]|[^\s@]+@[\w.-]+) (?:not found|unknown|does not exist|doesn't exist)",
            r"(?:recipient|addressee|mailbox|account|address) (?:(?:is )?(?:not found|unknown)|does not exist|doesn't exist|not exist)",
            # "The email address wasn't found at the destination domain" (Exchange's NDR text).
            r"(?:recipient|addressee|mailbox|account|address) (?:wasn't|was not|isn't|is not) found\b",
            r"invalid (?:recipient|mailbox|address|user)",
            r"no mailbox",
            r"not a valid (?:mailbox|recipient|user|address)",
            # "The recipient address <r> is not a valid RFC 5321 address".
            r"(?:recipient|destination) address (?:\S+ )?is not a valid\b",
            r"(?:account|user|mailbox|recipient)(?: name)? (?:is )?not valid",
            r"user not listed",
            r"not listed in",
            r"no (?:such )?(?:recipient|user) here",
            r"recipnotfound",
            r"recipientnotfound",
            r"not found by smtp address lookup",
            r"bad destination mailbox",
            r"(?:recipient|user) (?:rejected|invalid)",
            r"(?:doesn't|does not) have an? (?:.{1,60} )?account",
            r"no longer (?:valid|available|exists)",
            r"user (?:not exist|does not have)",
            r"not our customer",
            r"unknown or illegal",
            r"no account",
            r"mailbox (?:is )?(?:unavailable|not available)",
            r"does not exist",
            r"undeliverable address",
            r"non-?existent (?:account|user|mailbox|recipient|address|e-?mail address)",
            r"unrouteable",
            r"recipient name is not recognized",
            r"mailbox name not allowed",  # RFC 5321 reply 553: the mailbox name is invalid
            r"bad (?:recipient |destination )?address(?: mailbox)? syntax",
            r"fully[- ]qualified (?:domain name|address) required|need fully[- ]qualified address",
            # The same verdict in the languages MTAs and providers localize it into
            # (German, French, Spanish/Portuguese, Italian, Dutch, Polish, Russian,
            # Japanese, Chinese): "unknown user/recipient", "address does not exist".
            r"(?:benutzer|empf(?:ä|ae)nger|adresse|postfach) (?:ist )?unbekannt|unbekannte[rs]? (?:benutzer|empf(?:ä|ae)nger)",
            r"existiert nicht|gibt es nicht",
            r"(?:utilisateur|destinataire|adresse) inconnue?|n'existe pas|inexistante?",
            r"(?:usuario|usuário|destinatario|destinatário) (?:desconocido|desconhecido|inexistente)|no existe|não existe",
            r"utente (?:sconosciuto|inesistente)|non esiste",
            r"onbekende (?:gebruiker|ontvanger)|bestaat niet",
            r"nieznany (?:u(?:ż|z)ytkownik|adresat)|nie istnieje",
            r"(?:пользователь|адрес|получатель|ящик|адресат) (?:не существует|не найден)|нет такого",
            r"(?:postfach|benutzer|empf(?:ä|ae)nger|adresse|konto) (?:ist )?nicht (?:vorhanden|gefunden)",
            r"存在しない|宛先不明|該当するユーザ",
            r"用户不存在|收件人不存在|地址不存在|邮箱不存在|帐户不存在|账户不存在|账号不存在",
        ),
    ),
    # Disk or spool full on the receiving system itself.
    (
        "receiving system out of storage",
        "systemfull",
        (
            r"system (?:storage )?full",
            r"insufficient system storage",
            r"spool (?:is )?full",
            r"no space left",
            r"insufficient (?:disk )?space",
            # RFC 5321's 452 text in other words: "Insufficient storage on the server".
            r"insufficient (?:\w+ )?storage\b",
            r"out of (?:disk )?space",
        ),
    ),
    # Local delivery programs (pipes, procmail, maildrop) failed.
    (
        "local delivery program failed",
        "mailererror",
        (
            r"mailer error",
            r"pipe to \|",
            r"command (?:failed|died)",
            r"exit (?:code|status)",
            r"unknown mailer",
            r"procmail",
            r"maildrop",
            r"local delivery failed",
            r"x-unix",
            r"program (?:failed|error)",
        ),
    ),
    # The message waited too long in the queue, or the MTA never reached the host and
    # gave up (timeouts, unreachable hosts are final only after the retry period).
    (
        "queue gave up (expired)",
        "expired",
        (
            r"retry time(?:out)? (?:not reached|exceeded)",
            # The queue's lifetime for the message ran out ("queue lifetime exceeded").
            r"\bqueue (?:life ?time|time|timeout) (?:exceeded|expired|reached)",
            r"too long (?:in|on) (?:the )?queue",
            r"delivery time expired",
            r"message expired",
            r"envelope expired",
            r"(?:could not|couldn't|cannot|unable to) (?:be )?deliver(?:ed)? (?:for|within|in) ",
            r"failing for a long time",
            r"not (?:been )?delivered within",
            r"still undelivered",
            r"maximum (?:queue|delivery) time",
            r"expired",
            r"undeliverable for",
            r"will be retried",
            r"will (?:keep|continue) trying",
            r"delivery (?:has been )?delayed",
            r"failed \d+ attempts",
            r"delivery failed \d+",
            # The retry period ran out: "delivery ... was aborted after 5.0 hour(s)".
            r"(?:aborted|abandoned|cancell?ed|stopped|gave up|giving up) after \d+(?:\.\d+)? ?(?:hour|day|minute)",
        ),
    ),
    # The host was not reached or the session timed out. In a report of the queue that is
    # why it gave up (expired); in a reply our own sender just received, no queue has run
    # out yet: the connection failed (networkerror). See settling.settle.
    (
        "connection failed or timed out (expired once the queue gives up)",
        "connect_failed",
        (
            r"timeout exceeded",
            r"timed out",
            r"did not accept our requests to connect",
            r"host (?:is )?not reachable",
            r"unable to connect",
            r"could not connect",
            r"(?:wasn't|was not) able to establish",
            # Every MX of the domain was tried and none took the session ("Tried all MXs"; Haraka's
            # outbound sends it under X.1.2 although the domain exists).
            r"\btried (?:all|every|each) (?:of the )?(?:mxs?|mx hosts|mx servers|mail (?:hosts|servers|exchangers))\b",
        ),
    ),
    # The path to the receiver broke: refused connections, loops, lost sessions.
    (
        "network path failed",
        "networkerror",
        (
            r"connection (?:refused|reset|lost|closed|dropped)",
            # The other end hung up: "Remote server disconnected", "peer closed the connection".
            r"\b(?:remote |peer )?(?:server|host|peer) (?:has |unexpectedly )?(?:disconnected|closed (?:the )?connection|hung up)",
            r"no route to host",
            r"network (?:is )?unreachable",
            r"hop count exceeded",
            r"routing loop",
            r"mail loop",
            r"too many hops",
            r"socket error",
            r"lost (?:\w+ )?connection",
            r"(?:data|command|read|write) timeout",
            r"network error",
            # A front end relaying our session could not open its own to the next hop ("Proxy
            # session setup failed", "... target IP address responded with ..."): the path failed.
            r"\b(?:proxy |smtp |outbound )?session (?:setup|set-up|set up|establishment) (?:failed|timed out)",
            r"\btarget (?:ip address|host|server) (?:responded with|did not respond|not responding)",
            r"loops back",
            r"unreachable",
        ),
    ),
    # The receiver had an internal problem.
    (
        "receiving system error",
        "systemerror",
        (
            r"system error",
            r"internal (?:server )?error",
            r"server error",
            r"local error",
            r"configuration error",
            r"temporary (?:local |system |server )?problem",
            # The server is overloaded (sendmail's "Rejecting connections ... load average").
            r"load average|\b(?:server|system|host) (?:is )?(?:overloaded|too busy)\b",
            r"\b(?:server|system|host|machine) load (?:is )?(?:too )?high\b|\bload too high\b",
            r"temporary (?:system|server) (?:error|failure)",
            r"resources temporarily|\bresources? (?:is |are )?(?:temporarily )?(?:unavailable|exhausted)\b",
            r"unable to contact",
            r"service (?:is )?(?:\w+ )?unavailable",
            # RFC 5321 §4.2.3's own text for 421.
            r"service (?:is )?(?:temporarily )?not (?:available|active)",
            r"i/o error",
            r"duplicated message-id",
            # The receiver gave up on a message after its own repeated failures processing it
            # ("Too many related errors": Exchange's poison queue), or could not keep the
            # redundant (shadow) copy it requires before accepting one.
            r"too many (?:related|repeated|internal|processing) (?:errors|failures)",
            r"\b(?:failed to|could not|cannot|unable to) (?:be )?made redundant\b|\bshadow (?:redundancy|copy)\b",
            r"database error",
            # A back end the server consults (a directory, a greylist store) failed: "Backend failure".
            r"\bback-?end (?:failure|error|unavailable)",
            r"\bbusy\b",
            r"transaction failed(?!.{0,80}\bpolic)",
        ),
    ),
    # The message breaks the receiving site's rules (not spam, not a virus).
    (
        "site policy",
        "policyviolation",
        (
            r"protocol violation",
            r"administrative prohibition",
            # "Your mail was administratively denied / rejected" (a site rule, not a block list).
            r"administratively (?:denied|rejected|refused|prohibited)",
            r"(?:content|message|email) policy",
            r"prohibited",
            r"not allowed by policy",
            # The destination refuses the transport we used, not the address: mail over IPv6.
            r"\b(?:accept|receive)s? (?:e-?mails?|mail|messages?|connections?) (?:over|via|from|by) ipv6\b",
            # The sender's practices fall short of the receiver's published requirements.
            r"(?:does not|doesn't|do not|fails? to) (?:meet|comply with|follow) .{0,40}\b(?:requirements|guidelines)\b",
            r"\bpolic(?:y|ies)\b",
        ),
    ),
    # The message format itself was refused (MIME, encoding).
    (
        "message encoding or MIME",
        "contenterror",
        (
            r"media error",
            r"content (?:error|type not allowed)",
            r"invalid (?:message )?(?:mime|content)",
            # A MIME structure the receiver will not take: a type it refuses, too many parts.
            r"\bmime type \S+ (?:is )?not (?:accepted|allowed|permitted)|too many mime parts|\bmime (?:complexity|nesting|depth)\b",
            r"invalid characters?",
            r"encoding error",
            r"\b(?:unknown|unsupported|invalid|illegal|unrecognized|that|this) (?:charset|character set)\b|\b(?:charset|character set) (?:is )?(?:not supported|unknown|invalid)",
            r"8-?bit",
            r"conversion (?:required|failed)",
        ),
    ),
    # Security rules of the receiver: authentication demanded, delivery not authorised.
    (
        "security or authentication required",
        "securityerror",
        (
            r"authentication (?:is )?required",
            r"not authori[sz]ed",
            r"security",
            r"auth(?:entication)? (?:failed|unsuccessful|failure)",
            r"(?:incorrect|invalid|bad|wrong) (?:authentication|auth) (?:data|credentials|information)",
            r"must authenticate",
            # "Please turn on SMTP Authentication in your mail client" (a submission server refusing us).
            r"\bsmtp auth(?:entication)?\b",
            r"not authenticated",
            r"(?:username|user name|password|credentials?) (?:and password )?(?:not accepted|incorrect|invalid|required)",
            # Submission-server wording (RFC 4954 §6 535/534/538): credentials, passwords,
            # log-ins and authentication mechanisms, whichever provider says it.
            r"\bpasswords?\b",
            r"\bcredentials?\b",
            r"\blog ?ins?\b|\bsign ?in\b",
            r"\bauth(?:entication)? (?:type|mechanism|method)s?\b",
            r"\bidentity (?:change|mismatch)",
            r"unauthorized",
            r"unauthenticated (?:senders?|users?|relay)",
        ),
    ),
    # A bare "access denied" states no cause: what was denied follows from the SMTP
    # stage (our sender at MAIL FROM, our host at connection), else a security refusal.
    ("access denied (meaning depends on the stage)", "access_denied", (r"access denied",)),
    # The envelope sender (our MAIL FROM) or our domain was refused.
    (
        "sender address refused",
        "rejected",
        (
            r"sender (?:address |domain )?(?:is )?(?:rejected|refused|denied|invalid|unknown|not allowed|not accepted)",
            r"(?:invalid|unknown|bad|unverified|unroutable) (?:sender|from)",
            # The address (or documentation's placeholder for it) between: "Sender <s@x> rejected",
            # "Sender $SenderAddress is blocked", "Sender {sender} refused".
            r"\bsender (?:address )?(?:<[^>]{0,100}>|\{[^}]{1,40}\}|\[[^\]]{1,100}\]|\$\w+|[^\s@]+@[\w.-]+):? (?:is |was |has been )?(?:rejected|refused|denied|not allowed|not accepted|blocked)",
            # Exim's sender verification, failed or not completed ("Could not complete sender verify").
            r"\bsender verify\b",
            r"(?:unable to|could not|couldn't|cannot|can't) verify (?:the |your )?sender",
            # Exim's sender verification and its callout (RFC 5321 §3.5 VRFY-like checks).
            r"verification failed for|sender verification|callout verification",
            r"\bcall-?(?:back|out) (?:failure|failed|verification)\b",
            r"from: (?:address|domain)",
            r"domain of sender",
            r"mail from",
            r"envelope sender",
            r"return path",
            r"purported responsible address",
            r"sender (?:is )?(?:not|on)",
            r"sending to/from an address",
            r"your (?:domain|address) (?:is|has been)",
            r"sending this from a different address",
        ),
    ),
    # A filter at the destination refused this recipient's mail.
    (
        "a filter at the destination refused it",
        "filtered",
        (
            r"filter",
            r"rejected by (?:the )?(?:destination|recipient) domain",
            r"(?:recipient|user) (?:has )?(?:refused|rejected|declined)",
            r"(?:rejected|refused|declined) by (?:the |this )?(?:user|recipient|addressee)s?\b",
            r"not accepting mail",
            r"delivery not permitted",
            r"delivery to (?:this|the) (?:recipient|mailbox|address|user) (?:is )?(?:not (?:allowed|permitted)|denied|prohibited|refused)",
            r"does not (?:wish|want) to receive",
            r"no permission to post",
        ),
    ),
    # Postfix's prefix for any refusal of a recipient at RCPT TO; with nothing more
    # specific after it, the address itself was refused.
    (
        "recipient address rejected (nothing more specific)",
        "recipient_rejected",
        (r"recipient address rejected", r"rcpt to not accepted"),
    ),
    # The server did not understand us.
    (
        "command syntax",
        "syntaxerror",
        (
            r"syntax error",
            r"command unrecognized",
            r"bad sequence of commands",
            r"unrecognized command",
            r"command not (?:implemented|recognized)",
            r"parameters? not implemented",
            r"improper sequence",
        ),
    ),
]

# What the decision reads (reason, patterns), and each group's readable name for the evidence.
PHRASES: list[tuple[str, tuple[str, ...]]] = [(reason, patterns) for _name, reason, patterns in PHRASE_GROUPS]
PHRASE_NAMES: tuple[str, ...] = tuple(name for name, _reason, _patterns in PHRASE_GROUPS)

# Wording that reports a failed directory lookup of this very mailbox: trusted as
# "the address does not exist" whatever the SMTP stage (see settling.user_or_filter).
ADDRESS_CERTAIN: tuple[str, ...] = (
    # Exchange / X.400 "unrecognized O/R name" and Exchange's resolver verdict.
    r"recipient name is not recognized",
    r"recipnotfound",
    r"recipientnotfound",
    r"not found by smtp address lookup",
    # Yahoo's documented "dd" replies, given after DATA: the account does not exist.
    r"delivery error: dd .{0,40}(?:doesn't|does not) have an? .{1,60} account",
    # Gmail / Google Workspace wording for a mailbox that does not exist.
    r"(?:account|address|mailbox) (?:that )?you tried to reach does not exist",
    r"address couldn't be found",
    # qmail's own wording for a local part it has no mailbox for.
    r"no mailbox here by that name",
    # The address itself is malformed (RFC 5321 501/553 "bad address syntax"): a verdict
    # on the address's form that no content filter gives.
    r"bad (?:recipient |destination )?address(?: mailbox)? syntax",
    # Lotus Domino / Notes: the name is not in its directory (Name & Address Book).
    r"not listed in (?:the )?(?:public name & address book|domino directory)",
)

# The readable name of each NOTICE_PHRASES group (same order), for the evidence.
NOTICE_NAMES: tuple[str, ...] = ("Google Groups refused the post",)

# Provider notices whose wording is localized or says nothing SMTP-like; recognized by
# a fixed landmark of the provider's own notice. Consulted with the notice text only.
NOTICE_PHRASES: list[tuple[str, tuple[str, ...]]] = [
    # Google Groups refuses posts to groups that do not exist or from non-members; its
    # notice is translated into the reader's language, the help link is not.
    ("rejected", (r"groups\.google\.com/support", r"permission to post (?:messages )?to the group")),
]

# Wording that puts the cause on the recipient's side even for reasons that are usually
# the sender's (a rate limit of the recipient's own mailbox, TLS the destination lacks).
RECIPIENT_SIDE: tuple[str, ...] = (
    r"gr[ae]y-?list",
    r"\bnot yet (?:authori[sz]ed|allowed|permitted)\b",
    # "The user you are trying to contact is receiving mail ...", "the person you are writing
    # to is receiving messages too quickly": it is the recipient's inbound rate.
    r"\b(?:user|recipient|mailbox|person|account|addressee)\b[^.;]{0,40}\b(?:is|are) (?:receiving|getting) (?:e-?mails?|mail|messages?)\b",
    r"recipient'?s? (?:per hour )?message receive limit exceeded",
    r"destination (?:mail )?server",
    r"recipient thread limit",
    # The recipient's own inbound limits: "the recipient has exceeded their inbound rate
    # limit", "mailbox is receiving too many messages", "too many messages for this user".
    r"(?:recipient|mailbox|user|account)(?:'s)? (?:has )?(?:exceeded|reached|is over) (?:their |its |his |her |the )?(?:inbound|incoming|receiv|(?:message |mail |e-?mail )?rate)",
    r"(?:recipient|mailbox|user|account) is receiving too many",
    r"too many (?:messages|mails|e-?mails) (?:for|to) (?:this|the) (?:recipient|mailbox|user|address|account)",
    r"(?:recipient|mailbox|user)(?:'s)? (?:inbound|incoming) (?:mail |message |e-?mail )?(?:rate|quota|limit)",
    # Dovecot's per-user limit on deliveries at once: the recipient's mailbox is busy.
    r"concurrent deliveries (?:for|to) (?:the |this )?(?:user|recipient|mailbox)",
)

# The subject of a refusal, as MTAs prefix it ("Helo command rejected: ...", Postfix
# smtpd restrictions, and their Exim / sendmail equivalents): what was refused decides
# what the detail after it can mean. The detail is read by the phrase tables; a reason
# about the recipient in it (its "Host not found" is our HELO name's) becomes the
# subject's reason, and so does a detail that says nothing the tables know. The last
# field lists detail reasons that cannot be about the subject and are kept as they are:
# a client *host* is no mailbox, so "Client host rejected: Account disabled" speaks of
# the recipient's account (a switched-off mailbox), not of our host.
REFUSAL_SUBJECTS: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    # (pattern, reason of the subject, what a detail about a host/domain becomes, details kept)
    (
        r"helo command (?:\[[^\]]{0,255}\] )?(?:rejected|blocked)|(?:invalid|bad|broken|illegal|bogus) (?:helo|ehlo)|"
        r"(?:helo|ehlo) (?:name |hostname |argument )?(?:rejected|invalid|not allowed|refused|"
        r"is (?:not (?:an? )?(?:valid|fqdn|fully[- ]qualified)|invalid))|"
        # What our HELO must carry: "HELO/EHLO requires domain address", "EHLO argument must be a FQDN".
        r"(?:helo|ehlo)(?: ?/ ?(?:helo|ehlo))? (?:name |hostname |argument )?(?:requires|required|must (?:be|contain|resolve))",
        "blocked",
        "blocked",
        frozenset(),
    ),
    # A protocol error under "Client host rejected" ("Improper use of SMTP command pipelining")
    # is our client's, not its host name's.
    (
        r"client host rejected|client (?:host )?(?:\S+ )?refused",
        "blocked",
        "requireptr",
        frozenset({"suspend", "syntaxerror"}),
    ),
    (
        r"sender address rejected|sender verify failed|sender address (?:is )?invalid",
        "rejected",
        "rejected",
        frozenset(),
    ),
)

# The TCP connection itself failed (the errno strings MTAs quote: ECONNREFUSED,
# EHOSTUNREACH, ENETUNREACH). Read only when the text quotes no SMTP reply code: then no
# server answered and nothing was refused; with a reply ("550 Connection refused by
# policy") the server is talking and the phrase tables decide.
TCP_FAILURES: tuple[str, ...] = (r"connection refused", r"no route to host", r"network (?:is )?unreachable")

# A generic refusal that goes on to name its reason ("Access denied, banned recipient",
# "Rejected: ...", "Policy: ...", "Message rejected due to ..."): the words after the head
# say what was refused and why. When the whole text reads only as a generic refusal
# (``GENERIC_READINGS``), a specific reason the tables find after the head decides
# (specific._named_after): codes are often missing, generic (5.7.1, 550) or unknown to us,
# and the head's own word says nothing the detail does not.
GENERIC_REFUSAL_HEAD = (
    r"\baccess denied(?:[,:;]| -| due to| because(?: of)?)"
    r"|\b(?:message |mail |e-?mail |delivery )?(?:rejected|refused|denied|blocked)(?::| -| due to| because(?: of)?)"
    r"|\bpolic(?:y|ies)(?: violation| rejection)?(?::| -)"
)
# What the tables read in a generic refusal alone, or in a detail that only says who refused
# ("Access denied, rejected by recipient": the recipient's side denied us, no cause named).
GENERIC_READINGS = frozenset(
    {"access_denied", "rejected", "blocked", "filtered", "policyviolation", "securityerror", "recipient_rejected"}
)

# A quota said under a security or policy status (X.7.y) is a limit on our sending, unless the
# words name the recipient's mailbox or its storage and not our sending ("The account you tried
# to reach is over quota", "the recipient's inbox is out of storage" under a generic 5.7.1).
MAILBOX_NAMED = (
    r"\b(?:mail ?box(?:es)?|inbox|storage|recipient'?s?|addressee|"
    r"(?:account|address|user|mailbox) (?:that )?you (?:tried|are trying) to reach)\b"
)
OUR_SENDING = r"\bsend(?:er|ers|ing|s)?\b"
