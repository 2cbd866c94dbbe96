"""Steps of the learner import as an admin takes them through the portal (shared by the import tests)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import LearnerImport


def upload(client, name, data):
    return client.post("/learners/import/", {"file": SimpleUploadedFile(name, data)})


def preview(client, job, **columns):
    return client.post(f"/learners/import/{job.pk}/", {f"column_{i}": field for i, field in columns.items()})


def confirm(client, job):
    return client.post(f"/learners/import/{job.pk}/preview/")


def run_import(client, name, data):
    """Upload, keep the guessed columns, preview and confirm; return the finished import."""
    upload(client, name, data)
    job = LearnerImport.objects.latest("pk")
    preview(client, job, **job.mapping)
    confirm(client, job)
    job.refresh_from_db()
    return job
