"""Realistic server messages for the demo seed, one or more per subtype of DESIGN §2.

Each row: (category, subtype, reason, status, reply_code, remote MTA, diagnostic
template with {address} and {domain}). Written for the demo, in the style of
what the named MTAs say.
"""

SAMPLE_BOUNCES = [
    ("hard", "address_unknown", "userunknown", "5.1.1", "550", "aspmx.l.google.com",
     "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the "
     "recipient's email address for typos or unnecessary spaces."),
    ("hard", "address_unknown", "userunknown", "5.1.1", "550", "mx1.{domain}",
     "550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"),
    ("hard", "address_unknown", "userunknown", "5.1.10", "550", "{domain}.mail.protection.outlook.com",
     "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient {address} not found by SMTP address lookup"),
    ("hard", "domain_unknown", "hostunknown", "5.1.2", "", "",
     "Host or domain name not found. Name service error for name={domain} type=MX: Host not found"),
    ("hard", "address_moved", "hasmoved", "5.1.6", "551", "mail.{domain}",
     "551 5.1.6 User has moved; please try <{address}> at the new office"),
    ("hard", "domain_no_mail", "notaccept", "5.1.10", "556", "{domain}",
     "556 5.1.10 Recipient address has null MX: this domain accepts no mail"),
    ("soft", "mailbox_full", "mailboxfull", "4.2.2", "452", "mx.{domain}",
     "452 4.2.2 The email account that you tried to reach is over quota."),
    ("soft", "message_too_large", "mesgtoobig", "5.3.4", "552", "mx.{domain}",
     "552 5.3.4 Message size exceeds fixed limit"),
    ("soft", "dns_server_failure", "systemerror", "4.3.0", "451", "mx.{domain}",
     "451 4.3.0 Temporary local problem - please try later"),
    ("soft", "account_disabled", "suspend", "5.2.1", "550", "mta7.am0.yahoodns.net",
     "550 5.2.1 This mailbox is disabled ({address})"),
    ("soft", "delivery_expired", "expired", "4.4.7", "", "",
     "Message expired: delivery was retried for 72 hours without success (connection timed out)"),
    ("soft", "rate_limited", "toomanyconn", "4.7.0", "421", "mx.{domain}",
     "421 4.7.0 Too many concurrent SMTP connections from this IP; please try again later"),
    ("soft", "soft_general", "onhold", "4.0.0", "450", "mx.{domain}",
     "450 4.0.0 Requested mail action not taken: mailbox unavailable, try again later"),
    ("block", "block_general", "blocked", "5.7.1", "550", "mx.{domain}",
     "550 5.7.1 Service unavailable; Client host [203.0.113.25] blocked using zen.spamhaus.org"),
    ("block", "known_spammer", "badreputation", "5.7.1", "554", "mx.{domain}",
     "554 5.7.1 Our system has detected that this message is likely suspicious due to the very low "
     "reputation of the sending IP address."),
    ("block", "relay_denied", "norelaying", "5.7.1", "554", "mail.{domain}",
     "554 5.7.1 <{address}>: Relay access denied"),
    ("block", "spam_detected", "spamdetected", "5.7.1", "550", "mx.{domain}",
     "550 5.7.1 Message rejected: this message was classified as SPAM by the content filter"),
    ("block", "virus_detected", "virusdetected", "5.7.1", "554", "mx.{domain}",
     "554 5.7.1 The message was rejected because it contains an attachment type that is not allowed"),
    ("block", "content_rejected", "contenterror", "5.6.0", "550", "mx.{domain}",
     "550 5.6.0 Content rejected: message headers are malformed"),
    ("block", "policy", "policyviolation", "5.7.1", "550", "mx.{domain}",
     "550 5.7.1 Delivery not authorized, message refused by the recipient organization's policy"),
    ("block", "sender_configuration", "authfailure", "5.7.26", "550", "mx.{domain}",
     "550 5.7.26 Unauthenticated email from sender.example is not accepted due to domain's DMARC policy"),
    ("block", "relay_suppressed", "suppressed", "5.1.1", "550", "email-smtp.us-east-1.amazonaws.com",
     "550 5.1.1 Address is on the account-level suppression list"),
    ("autoreply", "auto_reply", "vacation", "", "", "",
     "Thank you for your email. I am out of the office until Monday and will reply when I return."),
    ("complaint", "spam_complaint", "feedback", "", "", "",
     "This is an email abuse report for an email message received from IP 203.0.113.25"),
    ("unsubscribe", "unsubscribe_request", "feedback", "", "", "",
     "Please unsubscribe me from this list. I no longer wish to receive these emails."),
    ("undetermined", "undetermined", "undefined", "", "", "",
     "The message could not be delivered for an unknown reason."),
]

FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Linus",
               "Margaret", "Dennis", "Hedy", "Tim", "Katherine", "Guido", "Sophie", "Yukihiro", "Shafi", "Leslie"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman",
              "Torvalds", "Hamilton", "Ritchie", "Lamarr", "Berners-Lee", "Johnson", "van Rossum", "Wilson",
              "Matsumoto", "Goldwasser", "Lamport"]
DEPARTMENTS = ["Finance", "Sales", "Engineering", "People", "Support", "Legal", "Operations"]
CAMPAIGNS = [
    ("Security awareness: phishing basics", "Action needed: review your account activity"),
    ("Quarterly compliance training", "Your compliance training is due Friday"),
    ("Password hygiene refresher", "Time to update how you pick passwords"),
    ("New starter welcome", "Welcome aboard: your first-week checklist"),
    ("Data protection newsletter", "This month in data protection"),
]
