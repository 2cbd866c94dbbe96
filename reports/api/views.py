"""The API's endpoints: thin views over the organization's querysets and the contacts services.

Every queryset starts from the key's organization (``request.auth.organization``),
so another organization's id is a 404 like an id that does not exist.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from django.utils import translation
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.models import BounceEvent, CampaignRun, Send
from contacts.choices import ClearedVia
from contacts.deliverability import LearnerStateError, clear_bounce_status
from contacts.learner_upsert import Outcome, apply_upsert, plan_upsert
from contacts.models import Clearance, Learner, NeverSuppress
from contacts.never_suppress import NeverSuppressError, add_never_suppress_entry, remove_never_suppress_entry
from reports.api import serializers
from reports.api.authentication import HasApiKey, MayClear, key_of
from reports.api.filters import BounceEventFilter, CampaignRunFilter, LearnerFilter
from reports.api.pagination import IdCursorPagination

RECENT = 50
NOT_FOUND = OpenApiResponse(description="No such object in this organization.")
ERRORS = {401: OpenApiResponse(description="No or a bad API key."), 429: OpenApiResponse(description="Rate limited.")}


class OrgViewSet(viewsets.GenericViewSet):
    permission_classes = [HasApiKey]
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"\d+"

    @property
    def organization(self):
        return key_of(self.request).organization

    def dispatch(self, request, *args, **kwargs):
        # The REST API answers in English whatever the client's Accept-Language or language cookie:
        # its error texts are part of the contract scripts read, like its field names.
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(
        summary="Learners (filter by status, category, domain, updated since)",
        responses={200: serializers.LearnerSerializer(many=True), 400: None, **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One learner with its bounce events and clearances",
        responses={200: serializers.LearnerDetailSerializer, 404: NOT_FOUND, **ERRORS},
    ),
)
class LearnerViewSet(OrgViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Learner.objects.none()  # the schema's model; requests use get_queryset()
    filterset_class = LearnerFilter

    def get_queryset(self):
        learners = Learner.objects.for_organization(self.organization)
        if self.action != "retrieve":
            return learners
        events = BounceEvent.objects.order_by("-occurred_at", "-id")
        clearances = Clearance.objects.select_related("cleared_by").order_by("-created_at", "-id")
        return learners.prefetch_related(
            Prefetch("bounce_events", queryset=events, to_attr="all_events"),
            Prefetch("clearances", queryset=clearances, to_attr="all_clearances"),
        )

    def get_serializer_class(self):
        return serializers.LearnerDetailSerializer if self.action == "retrieve" else serializers.LearnerSerializer

    def retrieve(self, request, *args, **kwargs):
        learner = self.get_object()
        learner.recent_events = learner.all_events[:RECENT]
        learner.recent_clearances = learner.all_clearances[:RECENT]
        return Response(self.get_serializer(learner).data)

    @extend_schema(
        summary="Clear a learner's bounce status (a key allowed to clear; audited with the note)",
        request=serializers.ClearRequestSerializer,
        responses={
            200: serializers.ClearanceSerializer,
            400: None,
            403: OpenApiResponse(description="The key may not clear."),
            404: NOT_FOUND,
            409: OpenApiResponse(description="The learner is not bounced."),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[HasApiKey, MayClear], filter_backends=[])
    def clear(self, request, pk=None):
        learner = self.get_object()
        body = serializers.ClearRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = key_of(request)
        note = f"API key {key.name}: {body.validated_data['note']}"
        try:
            clearance = clear_bounce_status(learner=learner, cleared_by=key.created_by, via=ClearedVia.API, note=note)
        except LearnerStateError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(serializers.ClearanceSerializer(clearance).data)

    @extend_schema(
        summary="Create or update up to 1,000 learners by address (all or nothing)",
        request=serializers.LearnerUpsertSerializer,
        responses={
            200: serializers.UpsertResultSerializer,
            400: OpenApiResponse(description="The request body is malformed."),
            422: OpenApiResponse(
                serializers.UpsertResultSerializer, description="Some rows are invalid: nothing was written."
            ),
            403: OpenApiResponse(description="The key is read-only."),
            **ERRORS,
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk", filter_backends=[], pagination_class=None)
    def bulk_upsert(self, request):
        body = serializers.LearnerUpsertSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = body.validated_data["learners"]
        plans = plan_upsert(organization=self.organization, rows=rows)
        errors = [{"index": p.number - 1, "email": p.email, "errors": p.errors} for p in plans if p.errors]
        if errors:
            counts = dict.fromkeys(Outcome.ALL, 0) | {Outcome.INVALID: len(errors)}
            return Response({**counts, "errors": errors}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        key = key_of(request)
        counts = apply_upsert(
            organization=self.organization, plans=plans, actor=key.created_by, note=f"API key {key.name}"
        )
        errors = [{"index": p.number - 1, "email": p.email, "errors": p.errors} for p in plans if p.errors]
        return Response({**counts, "errors": errors})


@extend_schema_view(
    list=extend_schema(
        summary="Bounce events feed, oldest first (follow the cursor; since filters by time)",
        responses={200: serializers.BounceEventSerializer(many=True), 400: None, **ERRORS},
    ),
)
class BounceEventViewSet(OrgViewSet, mixins.ListModelMixin):
    queryset = BounceEvent.objects.none()
    serializer_class = serializers.BounceEventSerializer
    filterset_class = BounceEventFilter

    def get_queryset(self):
        return BounceEvent.objects.filter(organization=self.organization)


@extend_schema_view(
    list=extend_schema(
        summary="Campaign runs with their send status counts",
        responses={200: serializers.CampaignRunSerializer(many=True), 400: None, **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One campaign run with its send status counts",
        responses={200: serializers.CampaignRunSerializer, 404: NOT_FOUND, **ERRORS},
    ),
)
class CampaignRunViewSet(OrgViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = CampaignRun.objects.none()
    serializer_class = serializers.CampaignRunSerializer
    filterset_class = CampaignRunFilter

    def get_queryset(self):
        return CampaignRun.objects.filter(organization=self.organization).select_related("campaign")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize([self.get_object()], many=False))

    def _serialize(self, runs, *, many: bool):
        context = self.get_serializer_context() | {"status_counts": status_counts_for_runs([run.pk for run in runs])}
        return serializers.CampaignRunSerializer(runs if many else runs[0], many=many, context=context).data


def status_counts_for_runs(run_ids: list[int]) -> dict[int, dict[str, int]]:
    """{run id: {send status: count}} for a page of runs, in one grouped query."""
    counts: dict[int, dict[str, int]] = {run_id: {} for run_id in run_ids}
    rows = Send.objects.filter(run_id__in=run_ids).order_by().values_list("run_id", "status").annotate(n=Count("*"))
    for run_id, send_status, n in rows:
        counts[run_id][send_status] = n
    return counts


@extend_schema_view(
    list=extend_schema(
        summary="The never-suppress list: addresses and domains whose bounces never suppress",
        responses={200: serializers.NeverSuppressSerializer(many=True), 400: None, **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One never-suppress entry",
        responses={200: serializers.NeverSuppressSerializer, 404: NOT_FOUND, **ERRORS},
    ),
)
class NeverSuppressViewSet(OrgViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The organization's current entries; adding and removing go through ``contacts.never_suppress``."""

    queryset = NeverSuppress.objects.none()
    serializer_class = serializers.NeverSuppressSerializer

    def get_queryset(self):
        return NeverSuppress.objects.current().for_organization(self.organization).select_related("added_by")

    @extend_schema(
        summary="Add an address or a domain to the never-suppress list",
        request=serializers.NeverSuppressCreateSerializer,
        responses={
            201: serializers.NeverSuppressSerializer,
            400: OpenApiResponse(description="Not an address or a domain, or no reason."),
            403: OpenApiResponse(description="The key is read-only."),
            409: OpenApiResponse(description="The entry is on the list already."),
            **ERRORS,
        },
    )
    def create(self, request):
        body = serializers.NeverSuppressCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            entry = add_never_suppress_entry(
                organization=self.organization, added_by=key_of(request).created_by, **body.validated_data
            )
        except DjangoValidationError as error:
            return Response({"entry": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        except NeverSuppressError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take an entry off the never-suppress list (kept in its history); bounces suppress again",
        responses={
            204: None,
            403: OpenApiResponse(description="The key is read-only."),
            404: NOT_FOUND,
            **ERRORS,
        },
    )
    def destroy(self, request, pk=None):
        remove_never_suppress_entry(entry=self.get_object(), removed_by=key_of(request).created_by)
        return Response(status=status.HTTP_204_NO_CONTENT)
