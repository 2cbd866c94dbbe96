"""Who refused the mail, on the development corpus: per-product and per-blocklist hit counts (issue #14).

The floors are what was measured (``python -m bounceportal.classifier.hits``), so a rule change that
stops naming a product or list where it did fails here; a new hit only raises the counts.
"""

from collections import Counter

from bounceportal.classifier.hits import count_hits, main

# Failed recipients named, measured on ../shared/bounce-corpus (433 failed recipients).
PRODUCT_FLOORS = {
    "Google Workspace / Gmail": 19,
    "Outlook.com": 11,
    "Yahoo / AOL": 7,
    "Microsoft 365 / Exchange Online": 5,
    "Apple iCloud": 3,
    "Mimecast": 1,
    "Symantec Email Security.cloud": 1,
}
BLOCKLIST_FLOORS = {
    "Microsoft block list": 2,
    "CBL": 1,
    "Cloudmark CSI": 1,
    "SORBS": 1,
    "Spamhaus ZEN": 1,
    "URIBL": 1,
}


def named(hits, kind: str) -> Counter:
    counts: Counter = Counter()
    for (hit_kind, name, _evidence), n in hits.items():
        if hit_kind == kind:
            counts[name] += n
    return counts


def test_each_product_and_blocklist_is_named_at_least_as_often_as_measured(corpus_dir):
    total, hits = count_hits(corpus_dir)

    products, lists = named(hits, "product"), named(hits, "blocklist")

    assert total >= 433
    assert all(products[name] >= floor for name, floor in PRODUCT_FLOORS.items()), products
    assert all(lists[name] >= floor for name, floor in BLOCKLIST_FLOORS.items()), lists


def test_every_hit_says_which_evidence_it_keyed_on(corpus_dir):
    _total, hits = count_hits(corpus_dir)

    assert hits and all(evidence in ("reply", "host", "reporting", "trace") for _k, _n, evidence in hits)


def test_the_command_prints_a_line_per_name_and_a_result_line(corpus_dir, capsys):
    main([str(corpus_dir)])

    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("RESULT recipients=") and "named_product=" in lines[-1]
    assert any(line.startswith("product   Google Workspace / Gmail") for line in lines)
