"""Pathological messages: one per construct an attacker can repeat to make text handling slow.

Anyone can mail a bounce address, so every construct a pattern or a parser reads is repeated
to about ``size`` bytes: tags, entities, runs of spaces, repeated tokens, unterminated quotes,
deep nesting, many MIME parts, huge headers. Each is wrapped where the classifier reads it
(an HTML notice, a plain-text notice, a DSN diagnostic, a header). Used by
tests/classifier/test_classifier_hostile.py (correctness and termination) and bench/hostile.py
(time per message).
"""

from __future__ import annotations

from collections.abc import Callable

SIZE = 1024 * 1024
HEAD = (
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
    "To: bounces+AbCdEfGhIjKlMnOpQrStUv@bounce.example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n"
)


def repeat(token: str, size: int) -> str:
    """``token`` repeated to about ``size`` characters."""
    return token * max(1, size // len(token))


def html_notice(body: str) -> bytes:
    """A bounce whose only notice is an HTML part holding ``body``."""
    return (HEAD + "Content-Type: text/html; charset=utf-8\n\n" + body + "\n").encode("utf-8", "surrogateescape")


def text_notice(body: str) -> bytes:
    """A plain-text bounce notice: a failed address, then ``body``."""
    return (
        HEAD
        + "Content-Type: text/plain\n\n"
        + "This is the mail system. I'm sorry to have to inform you that your message could not be delivered.\n\n"
        + "<a@b.example>: host mx.b.example said: 550 5.1.1 User unknown "
        + body
        + "\n"
    ).encode("utf-8", "surrogateescape")


def dsn_diagnostic(body: str) -> bytes:
    """An RFC 3464 report whose one recipient's Diagnostic-Code is ``body``."""
    return (
        HEAD
        + 'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\n\n'
        + "--BB\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        + "--BB\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        + "Final-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.1.1\n"
        + "Diagnostic-Code: smtp; 550 5.1.1 "
        + body
        + "\n\n--BB--\n"
    ).encode("utf-8", "surrogateescape")


def header(name: str, value: str) -> bytes:
    """A plain-text bounce with one huge header ``name: value``."""
    return (HEAD + f"{name}: {value}\nContent-Type: text/plain\n\n<a@b.example>: 550 5.1.1 User unknown\n").encode(
        "utf-8", "surrogateescape"
    )


def nested_multipart(depth: int) -> bytes:
    head = HEAD
    for level in range(depth):
        head += f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n'
    return (head + "Content-Type: text/plain\n\n<a@b.example>: 550 5.1.1 User unknown\n").encode()


def nested_rfc822(depth: int) -> bytes:
    inner = "From: a@b.example\nSubject: hi\n\nhello\n"
    for _ in range(depth):
        inner = HEAD + "Content-Type: message/rfc822\n\n" + inner
    return inner.encode()


def many_parts(count: int) -> bytes:
    part = "--P\nContent-Type: text/plain\n\n<a@b.example>: 550 5.1.1 User unknown\n"
    return (HEAD + 'Content-Type: multipart/mixed; boundary="P"\n\n' + part * count + "--P--\n").encode()


def many_dsn_parts(count: int) -> bytes:
    part = "--P\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.example\nStatus: 5.1.1\n\n"
    return (HEAD + 'Content-Type: multipart/report; boundary="P"\n\n' + part * count + "--P--\n").encode()


def many_headers(line: str, size: int) -> bytes:
    return (HEAD + repeat(line + "\n", size) + "Content-Type: text/plain\n\n<a@b.example>: 550 User unknown\n").encode()


def later(build: Callable[[str], bytes], arg: str) -> Callable[[], bytes]:
    """``build(arg)``, made only when called (a megabyte per case adds up)."""
    return lambda: build(arg)


def cases(size: int = SIZE) -> dict[str, Callable[[], bytes]]:
    """Return ``{name: build}``: each build makes one pathological message of about ``size`` bytes."""
    n = size
    made: dict[str, Callable[[], bytes]] = {}
    for tag in ("<style", "<script", "<p", "<br", "<", "</", "<!--", "<a href='", '<a href="', "<div>", "<b><i>"):
        made[f"html {tag!r} repeated"] = later(lambda tag: html_notice(repeat(tag, n)), tag)
    made["html <style> unclosed then text"] = lambda: html_notice("<style>" + repeat("a ", n))
    made["html attribute without end"] = lambda: html_notice("<p " + repeat('x="y ', n))
    made["html deep nesting"] = lambda: html_notice(repeat("<div><table><tr><td>", n // 2) + "x")
    for entity in ("&nbsp;", "&", "&#", "&#x", "&amp", "&#12345678901234567890", "&lt;&gt;"):
        made[f"html entity {entity!r} repeated"] = later(lambda entity: html_notice(repeat(entity, n)), entity)
    for run in (" ", "\t", "\n", " \n", "\n\n", "\u00a0"):
        made[f"text run of {run!r}"] = later(lambda run: text_notice(repeat(run, n)), run)
        made[f"diagnostic run of {run!r}"] = later(lambda run: dsn_diagnostic(repeat(run, n).replace("\n", " ")), run)
    tokens = (
        "550 ",
        "550-",
        "5.1.1 ",
        "5.",
        "a",
        "@",
        "a@",
        "a@b.",
        "<a@b.example>",
        "<",
        "user unknown ",
        "mailbox full ",
        "=?",
        "=?utf-8?q?",
        "bounces+",
        "550 '",
        "Remote host said: ",
        ".",
        "-",
        "0",
        "> ",
        ": ",
        "[",
        "(",
        "rfc822;",
        "http://",
        "Forwarded message ",
    )
    for token in tokens:
        made[f"text token {token!r} repeated"] = later(lambda token: text_notice(repeat(token, n)), token)
        made[f"diagnostic token {token!r} repeated"] = later(lambda token: dsn_diagnostic(repeat(token, n)), token)
    for quote in ('"', "'", '"a', "'a", "`"):
        made[f"unterminated quote {quote!r} in content-type"] = later(
            lambda quote: header("Content-Type", 'text/plain; charset="' + repeat(quote, n)), quote
        )
        made[f"unterminated quote {quote!r} in text"] = later(
            lambda quote: text_notice("550 " + repeat(quote, n)), quote
        )
    made["content-type with many parameters"] = lambda: header("Content-Type", "text/plain" + repeat('; a="b"', n))
    made["content-type with many empty parameters"] = lambda: header("Content-Type", "text/plain" + repeat(";", n))
    made["diagnostic folded over many lines"] = lambda: dsn_diagnostic(repeat("a\n ", n))
    made["multipart nested 10000 deep"] = lambda: nested_multipart(10000)
    made["message/rfc822 nested 2000 deep"] = lambda: nested_rfc822(2000)
    made["html quote nesting"] = lambda: text_notice(repeat("> ", n // 2) + "x")
    made["many MIME parts"] = lambda: many_parts(n // 70)
    made["many delivery-status parts"] = lambda: many_dsn_parts(n // 90)
    made["huge subject"] = lambda: header("Subject", repeat("Undelivered ", n))
    made["huge folded header"] = lambda: header("Subject", repeat("x\n ", n))
    made["huge encoded-word header"] = lambda: header("Subject", repeat("=?utf-8?q?a?= ", n))
    made["huge unterminated encoded word"] = lambda: header("Subject", "=?utf-8?q?" + repeat("=", n))
    made["many header lines"] = lambda: many_headers("Received: from a by b", n)
    made["many header-like lines"] = lambda: many_headers("X:", n)
    made["header without colon"] = lambda: header("X-Long", repeat("a", n).replace("a", "a", 1))
    made["huge message-id"] = lambda: header("Message-ID", "<" + repeat("a", n))
    made["huge references"] = lambda: header("References", repeat("<a@b> ", n))
    made["base64 garbage"] = lambda: (
        HEAD + "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" + repeat("!@#$", n)
    ).encode()
    made["quoted-printable soft breaks"] = lambda: (
        HEAD + "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n" + repeat("=\n", n)
    ).encode()
    return made
