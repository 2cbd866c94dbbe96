"""Shapes of bounces, auto-replies and near-bounces the corpus lacks, each written here from the
standard or the system's own documented format (RFC 3834 auto-replies, RFC 3464 / 8098 reports,
qmail-send, Exchange, Lotus Notes, GroupWise, old Yahoo / AOL, Postini, Mailman): not copied from
any project's test data. Each case asserts the kind, whether it is a bounce, every recipient
address (no more, no fewer) and the category each of them gets.
"""

import pytest

from bounceportal.classifier import classify

SENDER = "bounces+AbCdEfGhIjKlMnOpQrStUv_-12@bounce.example.org"
ORIGINAL = (
    "Return-Path: <" + SENDER + ">\n"
    "From: Course News <news@portal.example.org>\n"
    "To: Anna Berg <anna@school.example>\n"
    "Subject: Your course starts next week\n"
    "Message-ID: <AbCdEfGhIjKlMnOpQrStUv_-12@bounce.example.org>\n"
    "Date: Sun, 06 Dec 2026 10:00:00 +0000\n"
)


def message(headers: str, body: str, to: str = SENDER) -> bytes:
    """A message to our bounce address with the given header lines (one per line) and body."""
    return (f"To: {to}\nDate: Sun, 06 Dec 2026 10:05:00 +0000\n{headers.strip()}\n\n{body}").encode()


def with_original(headers: str, notice: str, original: str = ORIGINAL, ctype: str = "message/rfc822") -> bytes:
    """A multipart/mixed notice with the returned message attached."""
    body = (
        "--XX\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{notice}\n"
        f"--XX\nContent-Type: {ctype}\n\n{original}\nHello, your course starts on Monday.\n"
        "--XX--\n"
    )
    return message(headers + '\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"', body)


def autoreply(headers: str, body: str, sender: str = "Anna Berg <anna@school.example>") -> bytes:
    return message(f"From: {sender}\n{headers}", body)


LONG_AWAY_NOTE = autoreply(
    "Subject: Re: Your course starts next week",
    "Thank you for your message. I am out of the office until 4 January and will reply on my return.\n\n"
    + "Anna Berg | School of Languages | This e-mail and any attachment is confidential. " * 40
    + "\n",
)

AUTOREPLY_CASES = {
    "an RFC 3834 auto-reply with Auto-Submitted and an Auto: subject": autoreply(
        "Subject: Auto: Your course starts next week\nAuto-Submitted: auto-replied\n"
        "In-Reply-To: <AbCdEfGhIjKlMnOpQrStUv_-12@bounce.example.org>",
        "I am travelling and will read your message next week.\n",
    ),
    "an out-of-office in German without Auto-Submitted is an auto-reply": autoreply(
        "Subject: Abwesenheitsnotiz: Your course starts next week",
        "Vielen Dank f\u00fcr Ihre Nachricht. Ich bin bis zum 12. Januar nicht im B\u00fcro und habe keinen "
        "Zugriff auf meine E-Mails. In dringenden F\u00e4llen wenden Sie sich bitte an sekretariat@school.example.\n",
    ),
    "a French automatic reply with an encoded subject": autoreply(
        "Subject: =?iso-8859-1?Q?R=E9ponse_automatique_:_Your_course_starts_next_week?=",
        "Bonjour, je suis absente du bureau jusqu'au 4 janvier. Je traiterai votre message \u00e0 mon retour.\n",
    ),
    "an Exchange automatic reply marked by its inbox-rules loop header": autoreply(
        "Subject: Automatic reply: Your course starts next week\n"
        "X-MS-Exchange-Inbox-Rules-Loop: anna@school.example\nX-Auto-Response-Suppress: All\n"
        "Thread-Topic: Your course starts next week",
        "Thank you for your email. I am out of the office until 4 January with no access to email.\n",
    ),
    "an Outlook Out of Office subject alone is enough": autoreply(
        "Subject: Out of Office: Your course starts next week",
        "Back on Monday.\n",
    ),
    "an X-Autoreply header marks an auto-reply whatever the subject": autoreply(
        "Subject: Re: Your course starts next week\nX-Autoreply: yes",
        "Your message has been received and will be answered as soon as possible.\n",
    ),
    "an X-Autorespond header marks an auto-reply": autoreply(
        "Subject: Re: Your course starts next week\nX-Autorespond: Your course starts next week",
        "Thanks for writing. This mailbox is checked once a week.\n",
    ),
    "a Precedence: auto_reply header marks an auto-reply": autoreply(
        "Subject: Your course starts next week\nPrecedence: auto_reply",
        "We received your message and will reply within two working days.\n",
    ),
    "a ticket system's acknowledgement with Auto-Submitted: auto-generated is an auto-reply": autoreply(
        "Subject: [Ticket #48213] Your course starts next week\nAuto-Submitted: auto-generated\nPrecedence: bulk",
        "Dear sender, your request has been received and ticket #48213 has been opened for it.\n",
        sender="School Helpdesk <helpdesk@school.example>",
    ),
    "a Spanish out-of-office in the body only is an auto-reply": autoreply(
        "Subject: RE: Your course starts next week",
        "Gracias por su mensaje. Estoy fuera de la oficina hasta el 7 de enero con acceso limitado al correo.\n",
    ),
    "an Italian automatic reply": autoreply(
        "Subject: Risposta automatica: Your course starts next week",
        "Sono fuori ufficio fino al 10 gennaio.\n",
    ),
    "a Dutch out-of-office": autoreply(
        "Subject: Automatisch antwoord: Your course starts next week",
        "Ik ben afwezig tot en met 8 januari.\n",
    ),
    "a Japanese auto-reply with an encoded subject": autoreply(
        "Subject: =?utf-8?B?" + "6Ieq5YuV5b+c562U" + "?= Your course starts next week",
        "\u4e0d\u5728\u306b\u3064\u304d\u3001\u8fd4\u4fe1\u304c\u9045\u308c\u307e\u3059\u3002\n",
    ),
    "a challenge-response asks the sender to confirm before delivery": autoreply(
        "Subject: Please confirm your message to anna@school.example\nAuto-Submitted: auto-replied",
        "Hello,\n\nYour message to anna@school.example is being held because your address is not yet on "
        "Anna's approved senders list. To have your message delivered, please click the link below "
        "and confirm that you are a real person:\n\nhttps://verify.example.net/c/8f2a\n\n"
        "You only need to do this once.\n",
    ),
    "an Exchange out-of-office in German with Auto-Submitted: auto-generated": autoreply(
        "Subject: =?utf-8?Q?Automatische_Antwort:_Your_course_starts_next_week?=\n"
        "Auto-Submitted: auto-generated\nX-MS-Exchange-Inbox-Rules-Loop: anna@school.example",
        "Ich bin derzeit nicht im B\u00fcro.\n",
    ),
    "a Lotus Notes out-of-office names the person in its subject": autoreply(
        "Subject: Anna Berg is out of the office.",
        "I will be out of the office starting  12/06/2026 and will not return until 01/04/2027.\n\n"
        "I will respond to your message when I return.\n",
    ),
    "an AutoReply: subject": autoreply("Subject: AutoReply: Your course starts next week", "Received, thank you.\n"),
    "a bracketed [Auto-Reply] subject": autoreply(
        "Subject: [Auto-Reply] Your course starts next week", "Thank you, we will get back to you shortly.\n"
    ),
    "a reply subject with the out-of-office words after it": autoreply(
        "Subject: RE: Your course starts next week (Out of Office)", "Back on 4 January.\n"
    ),
    "an away note on parental leave in the body only": autoreply(
        "Subject: Re: Your course starts next week",
        "Hello, I am currently on parental leave until March. Please contact office@school.example instead.\n",
    ),
    "an away note that says it will be away until a date": autoreply(
        "Subject: Re: Your course starts next week",
        "I will be away until 4 January with limited access to email. I will reply on my return.\n",
    ),
    "a Swedish automatic reply": autoreply(
        "Subject: Autosvar: Your course starts next week", "Jag \u00e4r ledig till 7 januari.\n"
    ),
    "a Russian auto-reply with an encoded subject": autoreply(
        "Subject: =?utf-8?B?0JDQstGC0L7QvtGC0LLQtdGCOg==?= Your course starts next week",
        "\u042f \u0432 \u043e\u0442\u043f\u0443\u0441\u043a\u0435 \u0434\u043e 10 \u044f\u043d\u0432\u0430\u0440\u044f.\n",
    ),
    "a Polish automatic reply with an encoded subject": autoreply(
        "Subject: =?utf-8?Q?Odpowied=C5=BA_automatyczna:_Your_course?=", "Jestem na urlopie do 7 stycznia.\n"
    ),
    "an away note with a long disclaimer after it": LONG_AWAY_NOTE,
    "a challenge-response without any auto-reply header": autoreply(
        "Subject: Re: Your course starts next week",
        "I use a spam filter that only lets known senders through. Your message has been held. "
        "To have your message delivered, follow this link once: https://verify.example.net/r/77\n",
    ),
    "a Norwegian automatic reply (Outlook's localized subject)": autoreply(
        "Subject: Automatisk svar: Your course starts next week", "Jeg er p\u00e5 ferie til 4. januar.\n"
    ),
    "a Hungarian automatic reply": autoreply(
        "Subject: Automatikus v\u00e1lasz: Your course starts next week", "Szabads\u00e1gon vagyok.\n"
    ),
    "a Traditional Chinese automatic reply with an encoded subject": autoreply(
        "Subject: =?utf-8?B?" + "6Ieq5YuV5Zue6KaG" + "?=: Your course starts next week",
        "\u6211\u4e0d\u5728\u8fa6\u516c\u5ba4\u3002\n",
    ),
    "a Greek automatic reply with an encoded subject": autoreply(
        "Subject: =?utf-8?B?zpHPhc+Ez4zOvM6xz4TOtyDOsc+AzqzOvc+EzrfPg863?=: Your course starts next week",
        "\u0395\u03af\u03bc\u03b1\u03b9 \u03b5\u03ba\u03c4\u03cc\u03c2 \u03b3\u03c1\u03b1\u03c6\u03b5\u03af\u03bf\u03c5.\n",
    ),
    "a Romanian automatic reply": autoreply(
        "Subject: R\u0103spuns automat: Your course starts next week", "Sunt \u00een concediu.\n"
    ),
    "a Czech automatic reply": autoreply(
        "Subject: Automatick\u00e1 odpov\u011b\u010f: Your course starts next week", "Jsem na dovolen\u00e9.\n"
    ),
    "an out-of-office in HTML only": autoreply(
        "Subject: Re: Your course starts next week\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8",
        "<html><body><p>Hello,</p><p>I am out of the office until <b>4 January</b> with limited access to email."
        "</p><p>Anna</p></body></html>\n",
    ),
    "an automatic reply to a mail whose subject speaks of delivery is still an auto-reply": autoreply(
        "Subject: Automatic reply: Message delivery times for the course books",
        "I am out of the office until Monday. For urgent matters please write to\n\n    office@school.example\n",
    ),
}


QMAIL = message(
    "From: MAILER-DAEMON@mx.portal.example.org\nSubject: failure notice",
    "Hi. This is the qmail-send program at mx.portal.example.org.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
    "<anna@school.example>:\n192.0.2.25 does not like recipient.\n"
    "Remote host said: 550 5.1.1 <anna@school.example>: Recipient address rejected: User unknown\n"
    "Giving up on 192.0.2.25.\n\n"
    "<ben@college.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
    "--- Below this line is a copy of the message.\n\n" + ORIGINAL + "\nHello.\n",
)
QMAIL_QUOTA = message(
    "From: MAILER-DAEMON@mx.portal.example.org\nSubject: failure notice",
    "Hi. This is the qmail-send program at mx.portal.example.org.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
    "<carl@school.example>:\nThe users mailfolder is over the allowed quota (size). (#5.2.2)\n\n"
    "--- Below this line is a copy of the message.\n\n" + ORIGINAL + "\nHello.\n",
)
EXCHANGE_2003 = with_original(
    "From: System Administrator <postmaster@school.example>\nSubject: Undeliverable: Your course starts next week",
    "Your message did not reach some or all of the intended recipients.\n\n"
    "      Subject:\tYour course starts next week\n      Sent:\t12/6/2026 10:00 AM\n\n"
    "The following recipient(s) could not be reached:\n\n"
    "      anna@school.example on 12/6/2026 10:01 AM\n"
    "            The e-mail account does not exist at the organization this message was sent to.  "
    "Check the e-mail address, or contact the recipient directly to find out the correct address.\n"
    "            <mail.school.example #5.1.1>\n",
)
EXCHANGE_NAME_ONLY = with_original(
    "From: System Administrator <postmaster@school.example>\nSubject: Undeliverable: Your course starts next week",
    "Your message did not reach some or all of the intended recipients.\n\n"
    "      Subject:\tYour course starts next week\n      Sent:\t12/6/2026 10:00 AM\n\n"
    "The following recipient(s) cannot be reached:\n\n"
    "      'Anna Berg' on 12/6/2026 10:01 AM\n"
    "            None of your e-mail accounts could send to this recipient.\n"
    "            <mail.school.example #5.1.1 smtp;550 5.1.1 User unknown>\n",
)
EXCHANGE_2010 = message(
    "From: Microsoft Outlook <postmaster@school.example>\nSubject: Undeliverable: Your course starts next week",
    "Delivery has failed to these recipients or groups:\n\n"
    "anna@school.example (anna@school.example)\n"
    "The email address you entered couldn't be found. Please check the recipient's email address and try to "
    "resend the message. If the problem continues, please contact your helpdesk.\n\n"
    "Diagnostic information for administrators:\n\nGenerating server: mail.school.example\n\n"
    "anna@school.example\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
    "Recipient not found by SMTP address lookup'\n\nOriginal message headers:\n\n" + ORIGINAL,
)
HTML_NDR = message(
    "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@school.example>\n"
    "Subject: Undeliverable: Your course starts next week\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8",
    '<html><body><p><b><font color="#000066">Your message to anna@school.example couldn\'t be delivered.'
    "</font></b></p><p>anna wasn't found at school.example.</p><table><tr><td>news</td><td>Office 365</td>"
    "<td>anna</td></tr><tr><td>Action Required</td><td></td><td>Recipient</td></tr></table>"
    "<p><b>Unknown To address</b></p><p><b>How to Fix It</b><br>The address may be misspelled or may not exist.</p>"
    "<p>Diagnostic information for administrators:</p><p>Generating server: AM0PR01MB1234.eurprd01.prod.outlook.com"
    "<br><br>anna@school.example<br>Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
    "Recipient not found by SMTP address lookup'</p></body></html>\n",
)
LOTUS_NOTES = message(
    "From: Postmaster@school.example\nSubject: DELIVERY FAILURE: User anna berg (anna@school.example) not listed "
    "in Domino Directory",
    "Your message\n\n  Subject: Your course starts next week\n\nwas not delivered to:\n\n  anna@school.example\n\n"
    "because:\n\n  User anna berg (anna@school.example) not listed in Domino Directory\n",
)
GROUPWISE = message(
    "From: Mail Delivery System <postmaster@college.example>\nSubject: Undeliverable: Your course starts next week",
    "Message status - undeliverable\n\n   User dora@college.example not found\n\n"
    "The attached file had the following undeliverable recipient(s):\n       dora@college.example\n\n"
    "Information about the recipient(s):\n  dora@college.example\n"
    "    Transfer Status - Undeliverable - 550 5.1.1 User unknown\n",
)
OLD_YAHOO = message(
    "From: MAILER-DAEMON@yahoo.example\nSubject: failure delivery",
    "Message from yahoo.example.\nUnable to deliver message to the following address(es).\n\n"
    "<erik@school.example>:\n"
    "Sorry your message to erik@school.example cannot be delivered. This account has been disabled or discontinued "
    "[#102].\n\n--- Original message follows.\n\n" + ORIGINAL,
)
OLD_AOL = message(
    "From: Mail Delivery Subsystem <MAILER-DAEMON@aol.example>\nSubject: Returned mail: User unknown",
    "The original message was received at Sun, 6 Dec 2026 10:00:00 -0500\nfrom portal.example.org [198.51.100.7]\n\n"
    "   ----- The following addresses had permanent fatal errors -----\n<fay@aol.example>\n\n"
    "   ----- Transcript of session follows -----\n... while talking to air-in.mx.aol.example.:\n"
    ">>> RCPT To:<fay@aol.example>\n<<< 550 MAILBOX NOT FOUND\n550 <fay@aol.example>... User unknown\n\n"
    "   ----- Original message follows -----\n\n" + ORIGINAL,
)
POSTINI = message(
    "From: Mail Delivery Subsystem <postmaster@psmtp.example>\nSubject: Delivery Status Notification (Failure)",
    "This is an automatically generated Delivery Status Notification.\n\n"
    "Delivery to the following recipients failed permanently:\n\n     gus@college.example\n\n"
    "Technical details of permanent failure:\nPSmtp: 550 5.1.1 <gus@college.example>... User unknown - psmtp\n\n"
    "   ----- Original message -----\n\n" + ORIGINAL,
)
MAILMAN = message(
    "From: course-list-owner@lists.school.example\nSubject: Your message to Course-list awaits moderator approval",
    "Your mail to 'Course-list' with the subject\n\n    Your course starts next week\n\n"
    "Is being held until the list moderator can review it for approval.\n\n"
    "The reason it is being held:\n\n    Post by non-member to a members-only list\n",
)
MAILMAN_REJECTED = with_original(
    "From: course-list-owner@lists.school.example\nSubject: Your message to Course-list has been rejected",
    "Your message to the Course-list mailing list has been rejected for the following reasons:\n\n"
    "Non-members are not allowed to post messages to this list.\n\n"
    "Questions? Contact the list owner at\n\n    course-list-owner@lists.school.example\n",
    original=ORIGINAL.replace("Anna Berg <anna@school.example>", "course-list@lists.school.example"),
)
ADDRESS_IN_ORIGINAL_TO = with_original(
    "From: Mail Delivery System <MAILER-DAEMON@mx.school.example>\nSubject: Mail delivery failed",
    "This message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered: the mailbox is unavailable (550 5.1.1).\n",
)
COULDNT_BE_DELIVERED_SENTENCE = message(
    "From: Mail Delivery Subsystem <mailer-daemon@school.example>\nSubject: Message not delivered",
    "Your message to anna@school.example couldn't be delivered.\n\n"
    "The recipient's mailbox is full and can't accept messages now (552 5.2.2 Quota exceeded).\n",
)
BOUNCE_AS_ATTACHMENT = message(
    "From: Mail Delivery System <postmaster@relay.college.example>\nSubject: Delivery report\n"
    'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"',
    "--XX\nContent-Type: text/plain\n\nSee the attached report.\n"
    "--XX\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n"
    "From: MAILER-DAEMON@mx.college.example\nTo: " + SENDER + "\nSubject: Undelivered Mail Returned to Sender\n\n"
    "This is the mail system at host mx.college.example.\n\n"
    "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n"
    "<hana@college.example>: host store.college.example[192.0.2.9] said: 550 5.1.1\n"
    "    <hana@college.example>: Recipient address rejected: User unknown in local recipient table\n"
    "    (in reply to RCPT TO command)\n"
    "--XX--\n",
)
GERMAN_EXCHANGE = message(
    "From: Microsoft Outlook <postmaster@firma.example>\nSubject: =?utf-8?Q?Unzustellbar:_Your_course_starts_next_week?=",
    "Die Zustellung an diese Empf\u00e4nger oder Gruppen ist fehlgeschlagen:\n\n"
    "ida@firma.example (ida@firma.example)\n"
    "Die eingegebene E-Mail-Adresse wurde nicht gefunden. \u00dcberpr\u00fcfen Sie die E-Mail-Adresse des "
    "Empf\u00e4ngers, und versuchen Sie dann, die Nachricht erneut zu senden.\n\n"
    "Diagnoseinformationen f\u00fcr Administratoren:\n\nGenerierender Server: mail.firma.example\n\n"
    "ida@firma.example\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
)

COURIER = message(
    "From: Courier mail server at mx.portal.example.org <@>\nSubject: NOTICE: mail delivery status.",
    "This is a delivery status notification from mx.portal.example.org,\nrunning the Courier mail server.\n\n"
    "The original message was received on Sun, 06 Dec 2026 10:00:00 +0000\nfrom portal.example.org [198.51.100.7]\n\n"
    "---------------------------------------------------------------------------\n\n"
    "                           UNDELIVERABLE MAIL\n\n"
    "Your message to the following recipients cannot be delivered:\n\n"
    "<jan@college.example>:\n    mx.college.example [192.0.2.30]:\n"
    ">>> RCPT TO:<jan@college.example>\n<<< 550 5.1.1 <jan@college.example>: Recipient address rejected: "
    "User unknown in virtual mailbox table\n",
)
REASON_FOR_THE_PROBLEM = message(
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.portal.example.org>\nSubject: Undeliverable mail",
    "The following message to <kim@school.example> was undeliverable.\n"
    "The reason for the problem:\n5.1.0 - Unknown address error 550-'No such user (kim@school.example)'\n",
)
OLD_GMAIL = message(
    "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nSubject: Delivery Status Notification (Failure)",
    "This is an automatically generated Delivery Status Notification\n\n"
    "Delivery to the following recipient failed permanently:\n\n     lea@college.example\n\n"
    "Technical details of permanent failure:\nThe email account that you tried to reach does not exist. "
    "Please try double-checking the recipient's email address for typos or unnecessary spaces.\n\n"
    "----- Original message -----\n\n" + ORIGINAL,
)
SENDMAIL_REASON_LINE = message(
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.portal.example.org>\nSubject: Returned mail: see transcript for details",
    "   ----- The following addresses had permanent fatal errors -----\n<max@school.example>\n"
    "    (reason: 550 5.1.1 <max@school.example>... User unknown)\n\n"
    "   ----- Transcript of session follows -----\n... while talking to mx.school.example.:\n"
    ">>> DATA\n<<< 550 5.1.1 <max@school.example>... User unknown\n550 5.1.1 <max@school.example>... User unknown\n"
    "<<< 503 5.0.0 Need RCPT (recipient)\n",
)
FRENCH = message(
    "From: MAILER-DAEMON@mx.ecole.example\nSubject: =?utf-8?Q?Message_non_remis?=",
    "Votre message n'a pas pu \u00eatre remis \u00e0 ned@ecole.example.\n\n"
    "Raison : 550 5.1.1 Adresse inconnue / mailbox unknown\n",
)
INLINE_ORIGINAL_TO_ONLY = message(
    "From: Mail Delivery System <MAILER-DAEMON@mx.school.example>\nSubject: Mail delivery failed: returning message to sender",
    "This message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered to one or more of its recipients.\n"
    "550 No such user here\n\n"
    "------ This is a copy of the message, including all the headers. ------\n\n" + ORIGINAL + "\nHello.\n",
)

EXCHANGE_NDR_MARKED_AUTO = message(
    "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@school.example>\n"
    "Subject: Undeliverable: Your course starts next week\nAuto-Submitted: auto-replied\n"
    "X-MS-Exchange-Message-Is-Ndr: \nX-Auto-Response-Suppress: All",
    "Delivery has failed to these recipients or groups:\n\n"
    "otto@school.example\nThe email address you entered couldn't be found. Please check the recipient's email "
    "address and try to resend the message.\n\nDiagnostic information for administrators:\n\n"
    "Generating server: mail.school.example\n\notto@school.example\n"
    "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n",
)

QMAIL_SENDER_REJECTED = message(
    "From: MAILER-DAEMON@mx.portal.example.org\nSubject: failure notice",
    "Hi. This is the qmail-send program at mx.portal.example.org.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
    "<pia@college.example>:\nConnected to 192.0.2.40 but sender was rejected.\n"
    "Remote host said: 553 5.7.1 Sender address rejected: your envelope sender is on our block list\n\n"
    "--- Below this line is a copy of the message.\n\n" + ORIGINAL + "\nHello.\n",
)
QMAIL_NO_HOST = message(
    "From: MAILER-DAEMON@mx.portal.example.org\nSubject: failure notice",
    "Hi. This is the qmail-send program at mx.portal.example.org.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
    "<quinn@nowhere.example>:\nSorry, I couldn't find any host named nowhere.example. (#5.1.2)\n\n"
    "--- Below this line is a copy of the message.\n\n" + ORIGINAL + "\nHello.\n",
)
EXCHANGE_2007 = message(
    "From: Microsoft Exchange <postmaster@school.example>\nSubject: Undeliverable: Your course starts next week",
    "Delivery has failed to these recipients or distribution lists:\n\nRosa Lind\n"
    "The recipient's e-mail address was not found in the recipient's e-mail system. Microsoft Exchange will not "
    "try to redeliver this message for you.\n\n"
    "Diagnostic information for administrators:\n\nGenerating server: mail.school.example\n\n"
    "rosa@school.example\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n\n"
    "Original message headers:\n\n" + ORIGINAL,
)
EXCHANGE_QUOTED_ADDRESS = with_original(
    "From: System Administrator <postmaster@school.example>\nSubject: Undeliverable: Your course starts next week",
    "Your message did not reach some or all of the intended recipients.\n\n"
    "      Subject:\tYour course starts next week\n      Sent:\t12/6/2026 10:00 AM\n\n"
    "The following recipient(s) cannot be reached:\n\n"
    "      'sam@school.example' on 12/6/2026 10:01 AM\n"
    "            552 5.2.2 Mailbox size limit exceeded\n",
    original=ORIGINAL.replace("Anna Berg <anna@school.example>", "sam@school.example"),
)
GMAIL_ADDRESS_NOT_FOUND = message(
    "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nSubject: Delivery Status Notification (Failure)",
    "** Address not found **\n\nYour message wasn't delivered to tom@college.example because the address couldn't "
    "be found, or is unable to receive mail.\n\nLearn more here: https://support.google.com/mail/?p=NoSuchUser\n\n"
    "The response was:\n\n550 5.1.1 The email account that you tried to reach does not exist.\n",
)
GROUPWISE_NAME_ONLY = with_original(
    "From: Mail Delivery System <postmaster@school.example>\nSubject: Undeliverable mail",
    "The message that you sent was undeliverable to the following:\n\tanna (user not found)\n\n"
    "Possible causes:\n\tThe user name may be misspelled.\n",
)
POSTFIX_EXPANDED = message(
    "From: MAILER-DAEMON@mx.school.example (Mail Delivery System)\nSubject: Undelivered Mail Returned to Sender",
    "This is the mail system at host mx.school.example.\n\n"
    "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n"
    "<uma@school.example> (expanded from <teachers@school.example>): host\n"
    "    store.school.example[192.0.2.9] said: 552 5.2.2 <uma@school.example>: Mailbox full\n"
    "    (in reply to RCPT TO command)\n",
)
SENDER_IN_SENTENCE = message(
    "From: Mail Delivery Subsystem <mailer-daemon@school.example>\nSubject: Message not delivered",
    "Your message from news@portal.example.org to vera@school.example could not be delivered.\n"
    "Reason: 550 5.1.1 No such user\n",
)

EXCHANGE_TWO_RECIPIENTS = message(
    "From: Microsoft Outlook <postmaster@school.example>\nSubject: Undeliverable: Your course starts next week",
    "Delivery has failed to these recipients or groups:\n\n"
    "wes@school.example (wes@school.example)\nThe email address you entered couldn't be found.\n\n"
    "xia@school.example (xia@school.example)\nThe recipient's mailbox is full and can't accept messages now.\n\n"
    "Diagnostic information for administrators:\n\nGenerating server: mail.school.example\n\n"
    "wes@school.example\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n\n"
    "xia@school.example\nRemote Server returned '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceeded'\n",
)
HTML_MAILTO = message(
    "From: Mail Delivery System <MAILER-DAEMON@mx.college.example>\nSubject: Undeliverable message\n"
    "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8",
    "<html><body><p>Your message could not be delivered to "
    '<a href="mailto:yann@college.example">yann@college.example</a>.</p>'
    "<p>The server said: 550 5.1.1 User unknown</p></body></html>\n",
)
SPANISH = message(
    "From: MAILER-DAEMON@mx.escuela.example\nSubject: Mensaje no entregado",
    "No se pudo entregar el mensaje a zoe@escuela.example.\n\nMotivo: 550 5.1.1 Usuario desconocido (user unknown)\n",
)
GERMAN_SENTENCE = message(
    "From: MAILER-DAEMON@mx.firma.example\nSubject: Unzustellbar: Your course starts next week",
    "Ihre Nachricht konnte nicht an abel@firma.example zugestellt werden.\n\n"
    "Grund: 552 5.2.2 Postfach voll (mailbox full)\n",
)
ITALIAN = message(
    "From: MAILER-DAEMON@mx.scuola.example\nSubject: Messaggio non consegnato",
    "Non \u00e8 stato possibile consegnare il messaggio a bea@scuola.example.\n\n"
    "Motivo: 550 5.1.1 Utente sconosciuto (user unknown)\n",
)

BOUNCE_CASES = {
    "a qmail-send bounce names each recipient and its reason": (
        QMAIL,
        ["anna@school.example", "ben@college.example"],
        ["hard", "hard"],
    ),
    "a qmail-send over-quota bounce is a soft bounce": (QMAIL_QUOTA, ["carl@school.example"], ["soft"]),
    "an Exchange 2003 notice names the address on its own line with the date": (
        EXCHANGE_2003,
        ["anna@school.example"],
        ["hard"],
    ),
    "an Exchange notice that names only the display name takes the address from the returned To": (
        EXCHANGE_NAME_ONLY,
        ["anna@school.example"],
        ["hard"],
    ),
    "an Exchange 2010 notice without a report part": (EXCHANGE_2010, ["anna@school.example"], ["hard"]),
    "an HTML-only Office 365 notice": (HTML_NDR, ["anna@school.example"], ["hard"]),
    "a Lotus Notes delivery failure": (LOTUS_NOTES, ["anna@school.example"], ["hard"]),
    "a GroupWise undeliverable notice": (GROUPWISE, ["dora@college.example"], ["hard"]),
    "an old Yahoo notice about a disabled account": (OLD_YAHOO, ["erik@school.example"], ["soft"]),
    "an old AOL sendmail-style notice": (OLD_AOL, ["fay@aol.example"], ["hard"]),
    "a Postini notice": (POSTINI, ["gus@college.example"], ["hard"]),
    "a Mailman rejection names the list": (MAILMAN_REJECTED, ["course-list@lists.school.example"], ["block"]),
    "a notice that names nobody is about the returned message's To": (
        ADDRESS_IN_ORIGINAL_TO,
        ["anna@school.example"],
        ["hard"],
    ),
    "a 'Your message to X couldn't be delivered' sentence names the recipient": (
        COULDNT_BE_DELIVERED_SENTENCE,
        ["anna@school.example"],
        ["soft"],
    ),
    "a bounce attached as a message is read from the attachment": (
        BOUNCE_AS_ATTACHMENT,
        ["hana@college.example"],
        ["hard"],
    ),
    "a German Exchange notice": (GERMAN_EXCHANGE, ["ida@firma.example"], ["hard"]),
    "an Exchange notice marked Auto-Submitted is a bounce, not an auto-reply": (
        EXCHANGE_NDR_MARKED_AUTO,
        ["otto@school.example"],
        ["hard"],
    ),
    "a Courier notice names the recipient and quotes the session": (COURIER, ["jan@college.example"], ["hard"]),
    "a notice that gives 'the reason for the problem'": (REASON_FOR_THE_PROBLEM, ["kim@school.example"], ["hard"]),
    "an old Gmail plain-text notice": (OLD_GMAIL, ["lea@college.example"], ["hard"]),
    "a sendmail notice whose pipelined RCPT refusal is quoted after DATA": (
        SENDMAIL_REASON_LINE,
        ["max@school.example"],
        ["hard"],
    ),
    "a French notice with the address in its sentence": (FRENCH, ["ned@ecole.example"], ["hard"]),
    "a notice whose only address is in the inline copy's To": (
        INLINE_ORIGINAL_TO_ONLY,
        ["anna@school.example"],
        ["hard"],
    ),
    "a qmail notice whose remote refused the sender is a mail block": (
        QMAIL_SENDER_REJECTED,
        ["pia@college.example"],
        ["block"],
    ),
    "a qmail notice for a host that does not exist": (QMAIL_NO_HOST, ["quinn@nowhere.example"], ["hard"]),
    "an Exchange 2007 notice gives the address under its diagnostic": (
        EXCHANGE_2007,
        ["rosa@school.example"],
        ["hard"],
    ),
    "an Exchange notice with the address in quotes": (EXCHANGE_QUOTED_ADDRESS, ["sam@school.example"], ["soft"]),
    "a Gmail 'Address not found' text notice": (GMAIL_ADDRESS_NOT_FOUND, ["tom@college.example"], ["hard"]),
    "a GroupWise notice naming the user without a domain takes the returned To": (
        GROUPWISE_NAME_ONLY,
        ["anna@school.example"],
        ["hard"],
    ),
    "a Postfix text notice names the expanded recipient once, not the alias too": (
        POSTFIX_EXPANDED,
        ["uma@school.example"],
        ["soft"],
    ),
    "our own sender address in the notice's sentence is not a recipient": (
        SENDER_IN_SENTENCE,
        ["vera@school.example"],
        ["hard"],
    ),
    "an Exchange notice with two recipients gives each its own reason": (
        EXCHANGE_TWO_RECIPIENTS,
        ["wes@school.example", "xia@school.example"],
        ["hard", "soft"],
    ),
    "an HTML-only notice with the address in a mailto link": (HTML_MAILTO, ["yann@college.example"], ["hard"]),
    "a Spanish notice with the address in its sentence": (SPANISH, ["zoe@escuela.example"], ["hard"]),
    "a German notice with the address inside its sentence": (GERMAN_SENTENCE, ["abel@firma.example"], ["soft"]),
    "an Italian notice with the address in its sentence": (ITALIAN, ["bea@scuola.example"], ["hard"]),
}


HUMAN_REPLY_QUOTING_A_BOUNCE = message(
    "From: Jon Miller <jon@school.example>\nSubject: Re: Undelivered Mail Returned to Sender\n"
    "In-Reply-To: <notice-1@mx.school.example>",
    "Hi, I got the notice below when I forwarded your course mail to Anna. Is her address right?\n\nJon\n\n"
    "> This is the mail system at host mx.school.example.\n>\n"
    "> I'm sorry to have to inform you that your message could not\n> be delivered to one or more recipients.\n>\n"
    "> <anna@school.example>: host store.school.example[192.0.2.9] said: 550 5.1.1\n"
    ">     <anna@school.example>: Recipient address rejected: User unknown\n",
)
NEWSLETTER = message(
    "From: Shop News <news@shop.example>\nSubject: Free delivery on all orders this week\n"
    "List-Unsubscribe: <https://shop.example/u/123>\nList-Id: Shop News <news.shop.example>\nPrecedence: bulk",
    "This week only: free delivery on every order. Orders placed before Friday are delivered by Monday.\n"
    "Mail delivery failed last time? Check your address in your account.\n\nUnsubscribe: https://shop.example/u/123\n",
)
READ_RECEIPT = message(
    "From: Anna Berg <anna@school.example>\nSubject: Read: Your course starts next week\nMIME-Version: 1.0\n"
    'Content-Type: multipart/report; report-type=disposition-notification; boundary="RR"',
    "--RR\nContent-Type: text/plain\n\nYour message\n\n  To: anna@school.example\n"
    "  Subject: Your course starts next week\n  Sent: Sun, 6 Dec 2026 10:00:00 +0000\n\n"
    "was read on Sun, 6 Dec 2026 11:00:00 +0000.\n"
    "--RR\nContent-Type: message/disposition-notification\n\n"
    "Reporting-UA: school.example; Mail Client 2.0\nOriginal-Recipient: rfc822;anna@school.example\n"
    "Final-Recipient: rfc822;anna@school.example\n"
    "Original-Message-ID: <AbCdEfGhIjKlMnOpQrStUv_-12@bounce.example.org>\n"
    "Disposition: manual-action/MDN-sent-manually; displayed\n"
    "--RR--\n",
)
DISPLAYED_RECEIPT_PLAIN = message(
    "From: Anna Berg <anna@school.example>\nSubject: Return Receipt (displayed) - Your course starts next week",
    "This is a Return Receipt for the mail that you sent to anna@school.example.\n\n"
    "Note: This Return Receipt only acknowledges that the message was displayed on the recipient's computer. "
    "There is no guarantee that the recipient has read or understood the message contents.\n",
)
DIGEST = message(
    "From: course-list-request@lists.school.example\nSubject: Course-list Digest, Vol 12, Issue 3\n"
    "List-Id: Course list <course-list.lists.school.example>\nPrecedence: list",
    "Send Course-list mailing list submissions to\n\tcourse-list@lists.school.example\n\n"
    "Today's Topics:\n\n   1. Mail could not be delivered? (Jon Miller)\n   2. Re: returned mail (Anna Berg)\n\n"
    "----------------------------------------------------------------------\n\n"
    "Message: 1\nDate: Sat, 5 Dec 2026 09:00:00 +0000\nFrom: Jon Miller <jon@school.example>\n"
    "To: course-list@lists.school.example\nSubject: Mail could not be delivered?\n\n"
    "My mail to the teacher could not be delivered, the server said user unknown. Anyone else?\n\n"
    "------------------------------\n\nMessage: 2\nDate: Sat, 5 Dec 2026 10:00:00 +0000\n"
    "From: Anna Berg <anna@school.example>\nTo: course-list@lists.school.example\nSubject: Re: returned mail\n\n"
    "Yes, mine was returned too: delivery failed permanently.\n",
)

EXCHANGE_DELIVERED = message(
    "From: postmaster@school.example\nSubject: Delivered: Your course starts next week",
    "Your message has been delivered to the following recipients:\n\nanna@school.example\n\n"
    "Subject: Your course starts next week\n",
)
EXCHANGE_RELAYED = message(
    "From: Microsoft Outlook <postmaster@school.example>\nSubject: Relayed: Your course starts next week",
    "Delivery to these recipients or groups is complete, but no delivery notification was sent by the destination "
    "server:\n\nanna@school.example (anna@school.example)\n\nSubject: Your course starts next week\n",
)
QUARANTINE_DIGEST = message(
    "From: Spam Quarantine <quarantine@school.example>\nSubject: Spam Quarantine Summary - 3 new messages",
    "The following messages were held in your quarantine because they looked like spam. They were not delivered "
    "to your inbox. Release them from https://quarantine.school.example/\n\n"
    "From: offers@shop.example  Subject: Big sale\nFrom: news@portal.example.org  Subject: Your course starts next week\n",
    to="anna@school.example",
)

OUTLOOK_READ_RECEIPT = message(
    "From: Anna Berg <anna@school.example>\nSubject: Read: Your course starts next week\n"
    "X-Auto-Response-Suppress: All\nMIME-Version: 1.0\n"
    'Content-Type: multipart/report; report-type=disposition-notification; boundary="RR"',
    "--RR\nContent-Type: text/plain\n\nYour message\n\n  To: Anna Berg\n  Subject: Your course starts next week\n\n"
    "was read on 06/12/2026 11:00.\n"
    "--RR\nContent-Type: message/disposition-notification\n\n"
    "Final-Recipient: rfc822;anna@school.example\nDisposition: automatic-action/MDN-sent-automatically; displayed\n"
    "--RR--\n",
)

NOT_BOUNCE_CASES = {
    "a spam quarantine summary is not a bounce": QUARANTINE_DIGEST,
    "an Outlook read receipt marked X-Auto-Response-Suppress is not an auto-reply": OUTLOOK_READ_RECEIPT,
    "a person's reply quoting a bounce is not a bounce": HUMAN_REPLY_QUOTING_A_BOUNCE,
    "a newsletter with delivery in its subject is not a bounce": NEWSLETTER,
    "a read receipt (RFC 8098) is not a bounce": READ_RECEIPT,
    "a plain-text return receipt is not a bounce": DISPLAYED_RECEIPT_PLAIN,
    "a mailing-list digest that talks about failed delivery is not a bounce": DIGEST,
    "a moderation notice from Mailman is not a bounce": MAILMAN,
}

DELIVERED = message(
    "From: Mail Delivery System <MAILER-DAEMON@mx.portal.example.org>\nSubject: Successful Mail Delivery Report\n"
    'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="DD"',
    "--DD\nContent-Type: text/plain\n\nYour message was successfully delivered to the destination(s) listed below.\n\n"
    "<anna@school.example>: delivery via store.school.example[192.0.2.9]:25: 250 2.0.0 Ok: queued as 4F2A\n"
    "--DD\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.portal.example.org\n\n"
    "Final-Recipient: rfc822; anna@school.example\nAction: relayed\nStatus: 2.0.0\n"
    "Remote-MTA: dns; store.school.example\nDiagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4F2A\n"
    "--DD--\n",
)


@pytest.mark.parametrize("raw", AUTOREPLY_CASES.values(), ids=AUTOREPLY_CASES.keys())
def test_an_auto_reply_is_an_auto_reply_from_the_learner(raw):
    result = classify(raw)

    assert (result.kind, result.is_bounce) == ("autoreply", True)
    assert [(r.address, r.category, r.hard) for r in result.recipients] == [
        (result.recipients[0].address, "autoreply", False)
    ]
    assert result.recipients[0].address in ("anna@school.example", "helpdesk@school.example")


@pytest.mark.parametrize("case", BOUNCE_CASES.values(), ids=BOUNCE_CASES.keys())
def test_a_bounce_names_every_failed_recipient_and_its_category(case):
    raw, addresses, categories = case

    result = classify(raw)

    assert (result.kind, result.is_bounce) == ("dsn", True)
    assert [r.address.lower() for r in result.recipients] == addresses
    assert [r.category for r in result.recipients] == categories


@pytest.mark.parametrize("raw", NOT_BOUNCE_CASES.values(), ids=NOT_BOUNCE_CASES.keys())
def test_mail_that_only_looks_like_a_bounce_is_not_one(raw):
    result = classify(raw)

    assert (result.kind, result.is_bounce, result.recipients) == ("not_bounce", False, [])


DELIVERED_CASES = {
    "a delivered report (RFC 3464 Action: relayed)": DELIVERED,
    "an Exchange 'Delivered:' receipt in plain text": EXCHANGE_DELIVERED,
    "an Exchange 'Relayed:' receipt in plain text": EXCHANGE_RELAYED,
}


@pytest.mark.parametrize("raw", DELIVERED_CASES.values(), ids=DELIVERED_CASES.keys())
def test_a_delivered_report_is_not_a_bounce_and_marks_the_recipient_delivered(raw):
    result = classify(raw)

    assert (result.kind, result.is_bounce) == ("dsn", False)
    assert [(r.address, r.category) for r in result.recipients] == [("anna@school.example", "delivered")]
