"""Merge fields: each learner's values in the subject and bodies, escaped in HTML, and nothing else executes."""

import email
import email.policy

import pytest
from django.utils import timezone

from campaigns.forms import CampaignForm
from campaigns.models import Campaign
from campaigns.services.messages import MessageTemplate
from campaigns.services.scheduling import schedule_new_run
from campaigns.services.sending import RunError
from tests.factories import CampaignFactory, LearnerFactory

ADA = {"first_name": "Ada", "last_name": "Lovelace", "department": "R&D <Analytical>", "email": "ada@school.example"}


def render(values, **fields) -> email.message.EmailMessage:
    campaign = Campaign(**{"subject": "Hello", "from_email": "hr@acme.example", "body_text": "Hi", **fields})
    template = MessageTemplate(campaign, bounce_domain="bounces.test", base_url="https://portal.test/")
    raw = template.render(token="AbCdEfGhIjKlMnOpQrStUv_-", to=values["email"], values=values)
    return email.message_from_bytes(raw, policy=email.policy.default)


def body(message, subtype: str) -> str:
    return message.get_body((subtype,)).get_content().replace("\r\n", "\n")


def test_merge_fields_are_filled_in_the_subject_and_both_bodies():
    message = render(
        ADA,
        subject="{{ first_name }}, your training",
        body_text="Dear {{first_name}} {{ last_name }} ({{ department }}), we write to {{ email }}.",
        body_html="<p>Dear {{ first_name }} of {{ department }}</p>",
    )

    assert message["Subject"] == "Ada, your training"
    assert "Dear Ada Lovelace (R&D <Analytical>), we write to ada@school.example." in body(message, "plain")
    assert "<p>Dear Ada of R&amp;D &lt;Analytical&gt;</p>" in body(message, "html")


def test_a_learner_value_that_looks_like_template_code_is_sent_as_text_and_never_expanded():
    sly = {**ADA, "first_name": "{{ email }}", "last_name": '<script>alert("x")</script>'}

    message = render(sly, subject="Hi {{ first_name }}", body_html="<p>{{ first_name }} {{ last_name }}</p>")

    assert message["Subject"] == "Hi {{ email }}"
    assert "<p>{{ email }} &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>" in body(message, "html")


def test_a_subject_value_with_a_line_break_cannot_add_a_header():
    message = render({**ADA, "first_name": "Ada\r\nBcc: all@acme.example"}, subject="Hi {{ first_name }}")

    assert message["Bcc"] is None and message["Subject"] == "Hi Ada Bcc: all@acme.example"


@pytest.mark.parametrize(
    "field, text, shown",
    [
        ("subject", "Hi {{ nickname }}", "{{ nickname }}"),
        ("body_text", "Hi {{ first_name|upper }}", "{{ first_name|upper }}"),
        ("body_html", "{% if first_name %}Hi{% endif %}", "{% if first_name %}"),
        ("body_html", "{{ request.user.password }}", "{{ request.user.password }}"),
    ],
)
def test_the_campaign_form_refuses_an_unknown_merge_field_or_template_code(field, text, shown):
    data = {"name": "Welcome", "subject": "Welcome", "from_email": "hr@acme.example", "body_text": "Hello", field: text}

    form = CampaignForm(data)

    assert not form.is_valid()
    assert f"uses {shown}, which is not a merge field" in " ".join(form.non_field_errors())
    assert "{{ first_name }}, {{ last_name }}, {{ department }}, {{ email }}" in " ".join(form.non_field_errors())


def test_the_campaign_form_accepts_the_four_merge_fields():
    text = "{{ first_name }} {{ last_name }} {{department}} {{ email }}"
    data = {"name": "Welcome", "subject": text, "from_email": "hr@acme.example", "body_text": text, "body_html": text}

    assert CampaignForm(data).is_valid()


@pytest.mark.django_db
def test_a_campaign_saved_with_an_unknown_field_before_the_check_cannot_be_scheduled(org):
    LearnerFactory(organization=org)
    campaign = CampaignFactory(organization=org, body_text="Hello {{ nickname }}")

    with pytest.raises(RunError, match="nickname"):
        schedule_new_run(campaign=campaign, start=timezone.now())

    assert not campaign.runs.exists()
