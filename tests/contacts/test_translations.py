"""German for the contacts app's Python strings: forms, flash messages, choices; English stays the default."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from bounceportal.classifier import taxonomy
from contacts.choices import Category, DeliverabilityStatus, Subtype
from contacts.forms import BulkClearConfirmForm, LearnerEditForm
from contacts.taxonomy_messages import TAXONOMY_LABELS
from tests.factories import bounced_learner

pytestmark = pytest.mark.django_db


def in_german(client):
    """Ask for German the ways a browser does (the language cookie and Accept-Language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    return client


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_every_taxonomy_label_is_a_msgid_of_the_contacts_catalog():
    labels = set(taxonomy.CATEGORY_LABELS.values()) | set(taxonomy.SUBTYPE_LABELS.values())

    missing = labels - set(TAXONOMY_LABELS)

    assert not missing, f"add these to contacts/taxonomy_messages.py and translate them: {sorted(missing)}"


def test_the_learner_edit_form_has_german_labels_when_german_is_active(org):
    learner = bounced_learner(org)

    with translation.override("de"):
        form = LearnerEditForm(instance=learner)
        html = str(form)

    assert "Ich bestätige, dass diese E-Mail-Adresse gültig ist" in html
    assert "Warum die Adresse gültig ist (wird im Prüfprotokoll gespeichert)." in html
    assert ">Vorname:</label>" in html and ">Notiz:</label>" in html  # the model's fields too
    assert "I acknowledge" not in html


def test_the_learner_edit_form_stays_english_by_default(org):
    form = LearnerEditForm(instance=bounced_learner(org))

    assert "I acknowledge this email address is valid" in str(form)


def test_a_form_error_with_a_count_is_german_and_keeps_the_count():
    with translation.override("de"):
        form = BulkClearConfirmForm(data={"note": "Ticket 7"}, repeat_count=3)
        errors = form.errors["repeat_confirmed"]

    assert errors == [
        "3 Lernende sind nach drei oder mehr Aufhebungen erneut gebounct: "
        "Setzen Sie das Häkchen, um sie trotzdem aufzuheben."
    ]


def test_choice_labels_from_the_taxonomy_are_translated():
    with translation.override("de"):
        labels = (str(Category.HARD.label), str(Subtype.MAILBOX_FULL.label), str(DeliverabilityStatus.BOUNCED.label))

    assert labels == ("Hard Bounce", "Postfach voll", "Gebounct")
    assert str(Category.HARD.label) == "Hard bounce"


def test_clearing_a_learner_in_german_flashes_the_german_message(admin_client, org):
    learner = bounced_learner(org)
    client = in_german(admin_client)
    form = {"email": learner.email, "first_name": "Ada", "last_name": "L", "department": "", "note": "IT"}

    with translation.override("de"):
        response = client.post(reverse("contacts:learner-edit", args=[learner.pk]), {**form, "acknowledge_valid": "on"})

    assert response.status_code == 302
    assert flashed(response) == ["Bounce-Status aufgehoben: Diese lernende Person erhält wieder Kampagnen."]


def test_a_portal_bulk_clear_in_german_flashes_the_count_in_german(admin_client, org):
    learners = [bounced_learner(org) for _ in range(2)]
    client = in_german(admin_client)

    with translation.override("de"):
        confirm = client.post(reverse("contacts:learner-bulk-clear"), {"select": [x.pk for x in learners]})
        response = client.post(confirm["Location"], {"note": "Ticket 42"}, follow=True)

    assert "Bounce-Status von 2 Lernenden aufgehoben." in response.content.decode()


def test_the_same_action_in_english_flashes_english(admin_client, org):
    learner = bounced_learner(org)
    form = {"email": learner.email, "first_name": "Ada", "last_name": "L", "department": "", "note": "IT"}

    response = admin_client.post(
        reverse("contacts:learner-edit", args=[learner.pk]), {**form, "acknowledge_valid": "on"}
    )

    assert flashed(response) == ["Bounce status cleared: this learner will receive campaigns again."]


APP_CATALOGS = ["contacts", "campaigns", "reports"]


def po_entries(path):
    """(msgid, msgstrs, flags) of each entry of a .po file, the header left out."""
    import ast

    entries, current, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current and current["msgid"]:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"msgid": "", "msgstr": [], "flags": ""}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("msgid "):
            key, current["msgid"] = "msgid", ast.literal_eval(line[6:])
        elif line.startswith("msgid_plural "):
            key = "plural"
        elif line.startswith("msgstr"):
            key = "msgstr"
            current["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith('"') and key == "msgid":
            current["msgid"] += ast.literal_eval(line)
        elif line.startswith('"') and key == "msgstr":
            current["msgstr"][-1] += ast.literal_eval(line)
    return entries


@pytest.mark.parametrize("app", APP_CATALOGS)
def test_the_german_catalog_is_complete_and_compiled(app):
    import gettext

    po = settings.BASE_DIR / app / "locale" / "de" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        pytest.skip(f"{app} has no German catalog yet")
    entries = po_entries(po)
    with open(po.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog

    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not all(e["msgstr"])] == []
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in compiled}
    assert [e["msgid"] for e in entries if e["msgid"] not in compiled_ids] == [], "run msgfmt: the .mo is stale"


def test_the_learner_csv_export_stays_english_for_a_german_reader(admin_client, org):
    learner = bounced_learner(org)
    client = in_german(admin_client)

    with translation.override("de"):
        page = client.get(reverse("contacts:learner-list")).content.decode()
        response = client.get(reverse("contacts:learner-list"), {"export": "csv"})
        lines = b"".join(response.streaming_content).decode().splitlines()

    assert "E-Mail</a>" in page and "Zustellbarkeit</a>" in page  # the page's headers are German

    assert lines[0].startswith("Email,Name,Department,Deliverability,Category")
    assert learner.email in lines[1] and "Bounced" in lines[1] and "Gebounct" not in lines[1]


def test_admins_get_the_webhook_disabled_notice_each_in_their_own_language(org, admin_member):
    from django.core import mail

    from contacts.preferences import set_language_for
    from contacts.webhook_models import WebhookSubscription
    from contacts.webhooks.notify import email_admins_about_disabled
    from tests.factories import MembershipFactory

    admin_member.user.email = "alice@acme.example"
    admin_member.user.save()
    german = MembershipFactory(organization=org, role="admin", user__email="bernd@acme.example").user
    set_language_for(german, "de")
    subscription = WebhookSubscription.objects.create(
        organization=org, url="https://hr.acme.example/hook", events=["learner.suppressed"], disabled_reason="HTTP 503"
    )

    sent = email_admins_about_disabled(subscription.pk)

    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert sent == 2
    assert (
        by_recipient[("bernd@acme.example",)].subject
        == "[BouncePortal] Webhook an https://hr.acme.example/hook deaktiviert"
    )
    assert (
        by_recipient[("alice@acme.example",)].subject
        == "[BouncePortal] Webhook to https://hr.acme.example/hook disabled"
    )
    assert "HTTP 503" in by_recipient[("bernd@acme.example",)].body


def test_a_german_request_gives_the_thread_its_language_back(admin_client):
    # contacts.preferences.UserLocaleMiddleware restores the thread's language after each response,
    # so English-asserting code that runs next in the thread (tests, makemigrations --check) reads English.
    in_german(admin_client).get(reverse("contacts:learner-list"))

    assert translation.get_language() == "en"


def test_the_next_test_starts_in_english_again():
    assert translation.get_language() == "en"
