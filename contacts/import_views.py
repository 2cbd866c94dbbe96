"""Learners → Import: upload, map the columns, check the preview, import; progress and report (admins only)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views import View

from contacts.capabilities import can_manage_settings
from contacts.import_forms import ColumnMappingForm, LearnerImportUploadForm
from contacts.learner_import import (
    ImportFileError,
    LearnerImportError,
    confirm_import,
    preview_import,
    start_import,
)
from contacts.models import LearnerImport, LearnerImportStatus
from contacts.tenancy import CapabilityRequiredMixin, OrgScopedMixin

PROGRESS_REFRESH_SECONDS = 2


class ImportAdminMixin(OrgScopedMixin, CapabilityRequiredMixin):
    capability = staticmethod(can_manage_settings)
    denied_message = gettext_lazy("Only organization admins may import learners.")
    kwargs: dict

    def get_job(self) -> LearnerImport:
        return get_object_or_404(
            LearnerImport.objects.defer("content"), organization=self.organization, pk=self.kwargs["pk"]
        )


class LearnerImportView(ImportAdminMixin, View):
    def get(self, request):
        return render(request, "contacts/import_upload.html", {"form": LearnerImportUploadForm()})

    def post(self, request):
        form = LearnerImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = start_import(
                    organization=self.organization, created_by=request.user, file_name=upload.name, data=upload.read()
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("contacts:learner-import-mapping", job.pk)
        return render(request, "contacts/import_upload.html", {"form": form})


class LearnerImportMappingView(ImportAdminMixin, View):
    def _form(self, job, data=None):
        return ColumnMappingForm(data, header=job.header, initial_mapping=job.mapping)

    def get(self, request, pk):
        job = self.get_job()
        if job.status not in (LearnerImportStatus.MAPPING, LearnerImportStatus.PREVIEWED):
            return redirect("contacts:learner-import-progress", job.pk)
        return render(request, "contacts/import_mapping.html", {"job": job, "form": self._form(job)})

    def post(self, request, pk):
        job = get_object_or_404(LearnerImport, organization=self.organization, pk=pk)
        form = self._form(job, request.POST)
        if form.is_valid():
            try:
                preview_import(job=job, mapping=form.mapping())
            except (LearnerImportError, ImportFileError) as error:
                form.add_error(None, str(error))
            else:
                return redirect("contacts:learner-import-preview", job.pk)
        return render(request, "contacts/import_mapping.html", {"job": job, "form": form})


class LearnerImportPreviewView(ImportAdminMixin, View):
    def get(self, request, pk):
        job = self.get_job()
        if job.status != LearnerImportStatus.PREVIEWED:
            return redirect("contacts:learner-import-progress", job.pk)
        return render(request, "contacts/import_preview.html", {"job": job, "preview": job.preview})

    def post(self, request, pk):
        job = self.get_job()
        try:
            confirm_import(job=job)
        except LearnerImportError:
            pass  # confirmed twice (a double click): the progress page tells where it is
        return redirect("contacts:learner-import-progress", job.pk)


class LearnerImportProgressView(ImportAdminMixin, View):
    def get(self, request, pk):
        job = self.get_job()
        refresh = None if job.is_finished or job.status == LearnerImportStatus.PREVIEWED else PROGRESS_REFRESH_SECONDS
        return render(request, "contacts/import_progress.html", {"job": job, "refresh_seconds": refresh})


class LearnerImportReportView(ImportAdminMixin, View):
    def get(self, request, pk):
        job = self.get_job()
        response = HttpResponse(job.report, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="learner-import-{job.pk}-report.csv"'
        return response
