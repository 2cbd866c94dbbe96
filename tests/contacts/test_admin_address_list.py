"""Clear by address list: paste or upload addresses for one organization, preview, confirm with a note."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contacts.admin_forms import parse_addresses
from contacts.choices import ClearedVia
from contacts.models import BulkClearJob, Clearance
from tests.factories import LearnerFactory

ADDRESS_LIST = reverse("admin:contacts_learner_address_list")
pytestmark = pytest.mark.django_db


def bounced(**fields):
    return LearnerFactory(
        status="bounced",
        last_bounce_category="hard",
        last_bounce_subtype="address_unknown",
        last_bounced_at=timezone.now(),
        **fields,
    )


def test_changelist_has_a_button_to_the_address_list_page(cx_client):
    page = cx_client.get(reverse("admin:contacts_learner_changelist")).content.decode()

    assert f'href="{ADDRESS_LIST}"' in page


def test_address_list_page_offers_organization_autocomplete_and_upload(cx_client):
    page = cx_client.get(ADDRESS_LIST).content.decode()

    assert "admin-autocomplete" in page
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page


def test_pasted_list_preview_sorts_addresses_into_bounced_not_bounced_and_not_found(cx_client, org, other_org):
    bounced(organization=org, email="Ada@School.example")
    LearnerFactory(organization=org, email="grace@school.example")
    bounced(organization=other_org, email="linus@school.example")  # another organization's learner

    response = cx_client.post(
        ADDRESS_LIST,
        {
            "organization": org.pk,
            "addresses": "ada@school.example\ngrace@school.example, linus@school.example; nobody@school.example\nnot-an-address@",
        },
    )
    page = cx_client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert '<strong id="matched-bounced">1</strong>' in page
    assert '<strong id="matched-not-bounced">1</strong>' in page
    assert '<strong id="not-found">2</strong>' in page
    assert '<strong id="invalid">1</strong>' in page
    assert "Ada@School.example" in page and "grace@school.example" in page
    assert "linus@school.example" in page and "nobody@school.example" in page
    assert not Clearance.objects.exists()


def test_confirming_an_uploaded_csv_clears_the_bounced_matches_via_address_list(cx_client, cx_user, org):
    ada = bounced(organization=org, email="ada@school.example")
    grace = LearnerFactory(organization=org, email="grace@school.example")
    csv = b"name,email\nAda Lovelace,ADA@school.example\nGrace Hopper,grace@school.example\n"
    upload = SimpleUploadedFile("list.csv", csv, content_type="text/csv")

    preview = cx_client.post(ADDRESS_LIST, {"organization": org.pk, "file": upload})
    done = cx_client.post(preview["Location"], {"note": "Customer sent the corrected list (ticket 88)"})

    assert done.status_code == 302
    ada.refresh_from_db()
    grace.refresh_from_db()
    assert ada.status == "active" and grace.status == "active"
    clearance = Clearance.objects.get()
    assert (clearance.learner_id, clearance.via, clearance.cleared_by_id, clearance.note) == (
        ada.pk,
        ClearedVia.ADDRESS_LIST,
        cx_user.pk,
        "Customer sent the corrected list (ticket 88)",
    )
    assert BulkClearJob.objects.get().organization_id == org.pk


def test_a_list_with_nothing_bounced_offers_no_confirm_button(cx_client, org):
    LearnerFactory(organization=org, email="grace@school.example")

    response = cx_client.post(ADDRESS_LIST, {"organization": org.pk, "addresses": "grace@school.example"})
    page = cx_client.get(response["Location"]).content.decode()

    assert "nothing to clear" in page
    assert 'name="note"' not in page


def test_an_empty_list_is_refused_with_a_clear_error(cx_client, org):
    response = cx_client.post(ADDRESS_LIST, {"organization": org.pk, "addresses": "hello world"})

    assert response.status_code == 200
    assert "Paste addresses or upload a file." in response.content.decode()
    assert not BulkClearJob.objects.exists()


def test_an_organization_is_required(cx_client):
    response = cx_client.post(ADDRESS_LIST, {"addresses": "ada@school.example"})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_a_file_that_is_not_utf8_is_still_read(cx_client, org):
    bounced(organization=org, email="jose@school.example")
    upload = SimpleUploadedFile("list.txt", "José Pérez <jose@school.example>\n".encode("latin-1"))

    response = cx_client.post(ADDRESS_LIST, {"organization": org.pk, "file": upload})

    assert BulkClearJob.objects.get().total == 1
    assert response.status_code == 302


def test_parse_addresses_splits_csv_cells_and_lines_and_dedupes_case_insensitively():
    text = '"email","name"\n"Ada@School.example","Ada"\nada@school.example;<grace@school.example>\nmailto:linus@x.example\nbad@@x'

    valid, invalid = parse_addresses(text)

    assert valid == ["Ada@School.example", "grace@school.example", "linus@x.example"]
    assert invalid == ["bad@@x"]
