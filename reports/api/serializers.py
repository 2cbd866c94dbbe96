"""What the API reads and writes; the OpenAPI schema is generated from these classes."""

from rest_framework import serializers

from campaigns.models import BounceEvent, CampaignRun, SendStatus
from contacts.learner_upsert import COLUMNS, MAX_LENGTHS
from contacts.models import Clearance, Learner, NeverSuppress
from contacts.never_suppress import MAX_REASON

MAX_UPSERT = 1_000


class LearnerSerializer(serializers.ModelSerializer):
    domain = serializers.CharField(source="email_domain", read_only=True)

    class Meta:
        model = Learner
        fields = [
            "id",
            "email",
            "domain",
            "first_name",
            "last_name",
            "department",
            "status",
            "status_reason",
            "status_since",
            "soft_bounce_count",
            "bounce_count",
            "last_bounce_category",
            "last_bounce_subtype",
            "last_bounced_at",
            "auto_replied_at",
            "times_cleared",
            "last_engaged_at",
            "tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BounceEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = BounceEvent
        fields = [
            "id",
            "learner",
            "send",
            "address",
            "occurred_at",
            "source",
            "category",
            "subtype",
            "reason",
            "hard",
            "status",
            "reply_code",
            "diagnostic",
            "remote_mta",
            "matched_by",
            "outcome",
            "sender_side",
            "filter_product",
            "blocklist",
        ]
        read_only_fields = fields


class ClearanceSerializer(serializers.ModelSerializer):
    cleared_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    previous_email = serializers.CharField(
        read_only=True, help_text="The old address, for an email change; else empty."
    )

    class Meta:
        model = Clearance
        fields = [
            "id",
            "created_at",
            "via",
            "cleared_by",
            "previous_status",
            "previous_reason",
            "previous_category",
            "previous_subtype",
            "previous_email",
            "note",
        ]
        read_only_fields = fields


class LearnerDetailSerializer(LearnerSerializer):
    bounce_events = BounceEventSerializer(many=True, read_only=True, source="recent_events")
    clearances = ClearanceSerializer(many=True, read_only=True, source="recent_clearances")

    class Meta(LearnerSerializer.Meta):
        fields = [*LearnerSerializer.Meta.fields, "bounce_events", "clearances"]
        read_only_fields = fields


class ClearRequestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="Why the address is valid again (kept in the audit).")


class LearnerUpsertItemSerializer(serializers.Serializer):
    """One learner by address; fields left out stay as they are, ``new_email`` changes the address."""

    email = serializers.CharField(max_length=MAX_LENGTHS["email"])
    first_name = serializers.CharField(max_length=MAX_LENGTHS["first_name"], required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=MAX_LENGTHS["last_name"], required=False, allow_blank=True)
    department = serializers.CharField(max_length=MAX_LENGTHS["department"], required=False, allow_blank=True)
    new_email = serializers.CharField(max_length=MAX_LENGTHS["new_email"], required=False, allow_blank=True)


assert set(LearnerUpsertItemSerializer().fields) == set(COLUMNS)


class LearnerUpsertSerializer(serializers.Serializer):
    learners = LearnerUpsertItemSerializer(many=True, allow_empty=False, max_length=MAX_UPSERT)


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based position in the request's list.")
    email = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())


class UpsertResultSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    renamed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    invalid = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)


class CampaignRunSerializer(serializers.ModelSerializer):
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    status_counts = serializers.SerializerMethodField()

    class Meta:
        model = CampaignRun
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "status_counts",
        ]
        read_only_fields = fields

    def get_status_counts(self, run) -> dict[str, int]:
        counts = self.context.get("status_counts", {}).get(run.pk, {})
        return {status: counts.get(status, 0) for status in SendStatus.values}


class NeverSuppressSerializer(serializers.ModelSerializer):
    """An entry of the never-suppress list: an address, or a domain and its subdomains."""

    kind = serializers.SerializerMethodField(help_text="``address`` or ``domain``.")
    added_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = NeverSuppress
        fields = ["id", "entry", "kind", "reason", "added_by", "created_at"]
        read_only_fields = fields

    def get_kind(self, entry) -> str:
        return "domain" if entry.is_domain else "address"


class NeverSuppressCreateSerializer(serializers.Serializer):
    entry = serializers.CharField(
        max_length=254, help_text="An address (someone@example.com) or a domain (example.com or @example.com)."
    )
    reason = serializers.CharField(max_length=MAX_REASON, help_text="Why bounces of it must never suppress.")
