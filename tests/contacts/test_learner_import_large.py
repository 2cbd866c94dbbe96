"""Learner import of large real files: 100,000 rows, a 50 MB upload, a file over the size limit.

Marked ``slow`` (each takes seconds to tens of seconds; deselect with ``-m "not slow"``). They go
through the portal's views and the real worker task (Celery runs it in-process in tests), on the
real database: what is asserted is what an admin would see and what ends up in the learners table.
"""

import pytest

from contacts import learner_import
from contacts.models import Learner, LearnerImport, LearnerImportStatus
from tests.contacts.importing import confirm, preview, upload
from tests.factories import LearnerFactory

# Scale tests run once, in the PostgreSQL leg (make test): the SQLite leg checks the demo, and CI has 15 minutes.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.postgres]

ROWS = 100_000


def big_csv(rows: int, *, department: str, notes: str = "") -> bytes:
    header = "email,first name,last name,department" + (",notes" if notes else "") + "\n"
    tail = f",{notes}" if notes else ""
    return (header + "".join(f"p{n}@big.example,P{n},Row,{department}{tail}\n" for n in range(rows))).encode()


def import_through_the_portal(client, django_capture_on_commit_callbacks, name: str, data: bytes) -> LearnerImport:
    """Upload, preview with the guessed columns, confirm (the worker task runs on commit); return the job."""
    assert upload(client, name, data).status_code == 302
    job = LearnerImport.objects.latest("pk")
    preview(client, job, **job.mapping)
    job.refresh_from_db()
    assert job.status == LearnerImportStatus.PREVIEWED and job.total > learner_import.SYNC_LIMIT
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, job)
    job.refresh_from_db()
    return job


def test_100000_rows_import_as_a_worker_job_and_the_same_file_again_changes_nothing(
    admin_client, org, django_capture_on_commit_callbacks
):
    LearnerFactory(organization=org, email="P7@big.example", first_name="Seven", department="Before")
    data = big_csv(ROWS, department="Imported")

    first = import_through_the_portal(admin_client, django_capture_on_commit_callbacks, "big.csv", data)
    second = import_through_the_portal(admin_client, django_capture_on_commit_callbacks, "big.csv", data)

    assert first.status == LearnerImportStatus.DONE and (first.done, first.total) == (ROWS, ROWS)
    assert (first.counts["new"], first.counts["updated"], first.counts["invalid"]) == (ROWS - 1, 1, 0)
    assert (second.counts["unchanged"], second.counts["new"], second.counts["updated"]) == (ROWS, 0, 0)
    assert Learner.objects.filter(organization=org).count() == ROWS
    seven = Learner.objects.get(organization=org, email="P7@big.example")
    assert (seven.first_name, seven.department) == ("P7", "Imported")
    assert len(first.report.splitlines()) == ROWS + 1
    page = admin_client.get(f"/learners/import/{first.pk}/progress/").content.decode()
    assert f"{ROWS} of {ROWS} rows processed (100%)" in page and "Download the report" in page


def test_a_50_mb_file_is_uploaded_previewed_and_imported(admin_client, org, django_capture_on_commit_callbacks):
    rows = 50_000
    data = big_csv(rows, department="Wide", notes="n" * 1_100)
    assert len(data) >= 50 * 1024 * 1024

    job = import_through_the_portal(admin_client, django_capture_on_commit_callbacks, "wide.csv", data)

    assert job.preview["ignored"] == ["notes"] and job.preview["counts"]["new"] == rows
    assert job.status == LearnerImportStatus.DONE and job.counts["new"] == rows
    assert Learner.objects.filter(organization=org, department="Wide").count() == rows


def test_a_file_over_the_size_limit_is_refused_clearly_and_nothing_is_kept(admin_client):
    data = b"email\n" + b"a" * (learner_import.MAX_BYTES + 1)

    response = upload(admin_client, "huge.csv", data)

    assert "larger than 60 MB" in response.content.decode()
    assert not LearnerImport.objects.exists() and not Learner.objects.exists()
