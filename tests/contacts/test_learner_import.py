"""Learner import from real files: encodings, separators, quoted newlines, a binary file; preview, then import."""

import io

import pytest
from openpyxl import Workbook

from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.models import Clearance, Learner, LearnerImport, LearnerImportStatus
from tests.contacts.importing import preview, run_import, upload
from tests.factories import LearnerFactory, bounced_learner

pytestmark = pytest.mark.django_db


def test_utf8_with_bom_and_semicolons_is_read_with_its_accents(admin_client, org):
    data = "Email;First name;Last name\nzoe@school.example;Zoë;Ångström\n".encode("utf-8-sig")

    job = run_import(admin_client, "people.csv", data)

    assert job.status == LearnerImportStatus.DONE
    learner = Learner.objects.get(organization=org)
    assert (learner.email, learner.first_name, learner.last_name) == ("zoe@school.example", "Zoë", "Ångström")


def test_latin1_file_with_quoted_newlines_keeps_each_row_whole(admin_client, org):
    data = (
        'email,department\nrene@school.example,"Ressources\nhumaines"\nfrancois@school.example,Comptabilité\n'.encode(
            "latin-1"
        )
    )

    job = run_import(admin_client, "latin1.csv", data)

    assert job.encoding in ("cp1252", "latin-1")
    departments = dict(Learner.objects.values_list("email", "department"))
    assert departments == {"rene@school.example": "Ressources\nhumaines", "francois@school.example": "Comptabilité"}


def test_a_binary_file_renamed_csv_is_refused_clearly_and_nothing_is_written(admin_client):
    data = bytes(range(256)) * 64

    response = upload(admin_client, "learners.csv", data)

    assert "not a CSV text file" in response.content.decode()
    assert not LearnerImport.objects.exists() and not Learner.objects.exists()


def test_the_preview_counts_new_updated_unchanged_and_invalid_and_writes_nothing(admin_client, org):
    LearnerFactory(organization=org, email="Known@School.example", first_name="Kim", last_name="Lee", department="")
    LearnerFactory(organization=org, email="same@school.example", first_name="Sam", last_name="Ray", department="")
    data = (
        b"email,first_name,last_name,shoe size\n"
        b"known@school.example,Kimberly,Lee,40\n"
        b"same@school.example,Sam,Ray,41\n"
        b"new@school.example,Nia,Ito,38\n"
        b"NEW@school.example,Nia,Ito,38\n"
        b"not-an-address,X,Y,1\n"
    )
    upload(admin_client, "mixed.csv", data)
    job = LearnerImport.objects.get()

    response = preview(admin_client, job, **{"0": "email", "1": "first_name", "2": "last_name"})

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.preview["counts"] == {"new": 1, "updated": 1, "renamed": 0, "unchanged": 1, "invalid": 2}
    assert job.preview["ignored"] == ["shoe size"]
    invalid = {row["email"]: row["errors"] for row in job.preview["samples"]["invalid"]}
    assert "letter case" in invalid["NEW@school.example"][0] and "not a valid" in invalid["not-an-address"][0]
    assert Learner.objects.get(email="Known@School.example").first_name == "Kim"
    assert Learner.objects.filter(organization=org).count() == 2


def test_importing_the_same_file_twice_changes_nothing_the_second_time(admin_client, org):
    data = b"email,first name\na@school.example,Ann\nb@school.example,Bo\n"

    first = run_import(admin_client, "twice.csv", data)
    second = run_import(admin_client, "twice.csv", data)

    assert (first.counts["new"], second.counts["new"], second.counts["unchanged"]) == (2, 0, 2)
    assert Learner.objects.filter(organization=org).count() == 2


def test_an_address_change_clears_a_bounced_learner_through_the_email_change(admin_client, org):
    learner = bounced_learner(org, learner=LearnerFactory(organization=org, email="old@school.example"))
    data = b"email,new email\nold@school.example,new@school.example\n"

    job = run_import(admin_client, "moves.csv", data)

    learner.refresh_from_db()
    assert job.counts["renamed"] == 1
    assert (learner.email, learner.status) == ("new@school.example", DeliverabilityStatus.ACTIVE)
    clearance = Clearance.objects.get(learner=learner)
    assert (clearance.via, clearance.previous_email) == (ClearedVia.EMAIL_CHANGE, "old@school.example")


def test_an_xlsx_workbook_is_read_like_a_csv(admin_client, org):
    workbook = Workbook()
    workbook.active.append(["E-mail", "Surname"])
    workbook.active.append(["xl@school.example", "Sheet"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = run_import(admin_client, "people.xlsx", buffer.getvalue())

    assert job.counts["new"] == 1
    assert Learner.objects.get(organization=org).last_name == "Sheet"


def test_the_report_lists_every_row_with_its_outcome_and_neutralizes_formulas(admin_client, org):
    job = run_import(admin_client, "r.csv", b"email,first name\nok@school.example,=HYPERLINK(1)\nbad,x\n")

    report = admin_client.get(f"/learners/import/{job.pk}/report/").content.decode()

    assert report.splitlines()[1].startswith("1,ok@school.example,new,")
    assert "'first_name:" not in report and "first_name" not in report.splitlines()[1]
    assert "2,bad,invalid" in report


def test_a_large_file_runs_in_the_worker_and_the_progress_page_shows_it(
    admin_client, org, django_capture_on_commit_callbacks
):
    from contacts import learner_import

    rows = "".join(f"user{n}@school.example,U{n}\n" for n in range(learner_import.SYNC_LIMIT + 1))
    upload(admin_client, "big.csv", ("email,first name\n" + rows).encode())
    job = LearnerImport.objects.get()
    preview(admin_client, job, **{"0": "email", "1": "first_name"})

    with pytest.MonkeyPatch.context() as patch:
        queued = []
        patch.setattr(learner_import.run_learner_import, "delay", queued.append)
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(f"/learners/import/{job.pk}/preview/")
    page = admin_client.get(f"/learners/import/{job.pk}/progress/").content.decode()

    job.refresh_from_db()
    assert (job.status, queued) == (LearnerImportStatus.QUEUED, [job.pk])
    assert "data-refresh-seconds=" in page and not Learner.objects.exists()
    learner_import.process_import(job_id=job.pk)
    assert Learner.objects.filter(organization=org).count() == learner_import.SYNC_LIMIT + 1


def test_viewers_cannot_import(viewer_client):
    assert viewer_client.get("/learners/import/").status_code == 403
    assert upload(viewer_client, "a.csv", b"email\na@school.example\n").status_code == 403
    assert not LearnerImport.objects.exists()


def test_another_organizations_import_is_a_404(admin_client, other_org):
    other = LearnerImport.objects.create(organization=other_org, file_name="x.csv", content=b"email\na@b.example\n")

    assert admin_client.get(f"/learners/import/{other.pk}/").status_code == 404
    assert admin_client.post(f"/learners/import/{other.pk}/preview/").status_code == 404
    assert admin_client.get(f"/learners/import/{other.pk}/report/").status_code == 404


def test_the_mapping_step_offers_every_column_and_a_column_mapped_by_hand_is_imported(admin_client, org):
    upload(admin_client, "es.csv", b"Correo;Nombre;Notas\nana@escuela.example;Ana;x\n")
    job = LearnerImport.objects.get()

    page = admin_client.get(f"/learners/import/{job.pk}/").content.decode()
    preview(admin_client, job, **{"0": "email", "1": "first_name"})
    admin_client.post(f"/learners/import/{job.pk}/preview/")

    assert job.mapping == {} and all(name in page for name in ("Correo", "Nombre", "Notas"))
    learner = Learner.objects.get(organization=org)
    assert (learner.email, learner.first_name, learner.department) == ("ana@escuela.example", "Ana", "")


def test_a_mapping_without_the_email_column_or_with_a_field_twice_is_refused_and_nothing_is_written(admin_client):
    upload(admin_client, "m.csv", b"email,name\na@school.example,Ann\n")
    job = LearnerImport.objects.get()

    no_email = preview(admin_client, job, **{"1": "first_name"}).content.decode()
    twice = preview(admin_client, job, **{"0": "email", "1": "email"}).content.decode()

    job.refresh_from_db()
    assert "Choose the column that holds the email address" in no_email
    assert "one column only" in twice
    assert job.status == LearnerImportStatus.MAPPING and not Learner.objects.exists()


def test_the_preview_page_shows_the_counts_before_anything_is_written(admin_client, org):
    LearnerFactory(organization=org, email="kim@school.example", first_name="Kim")
    upload(admin_client, "p.csv", b"email,first name\nkim@school.example,Kimberly\nnew@school.example,N\nbad@,x\n")
    job = LearnerImport.objects.get()
    preview(admin_client, job, **job.mapping)

    page = admin_client.get(f"/learners/import/{job.pk}/preview/").content.decode()

    counts = page[page.index('id="import-counts"') :]
    assert "<strong>1</strong> new learner" in counts and "<strong>1</strong> updated" in counts
    assert "<strong>1</strong> invalid" in counts
    assert Learner.objects.get(organization=org).first_name == "Kim"


def test_an_address_another_learner_took_after_the_preview_is_updated_not_duplicated(admin_client, org):
    upload(admin_client, "race.csv", b"email,first name\nrace@school.example,Rae\nfine@school.example,Fin\n")
    job = LearnerImport.objects.get()
    preview(admin_client, job, **job.mapping)
    LearnerFactory(organization=org, email="RACE@school.example", first_name="Other")

    admin_client.post(f"/learners/import/{job.pk}/preview/")

    job.refresh_from_db()
    assert (job.preview["counts"]["new"], job.counts["new"], job.counts["updated"]) == (2, 1, 1)
    assert Learner.objects.filter(organization=org).count() == 2
    assert Learner.objects.get(email="RACE@school.example").first_name == "Rae"
