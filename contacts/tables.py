import django_tables2 as tables

from contacts.models import Learner


class LearnerTable(tables.Table):
    email = tables.Column(linkify=("contacts:learner-detail", {"pk": tables.A("pk")}))
    full_name = tables.Column(verbose_name="Name", order_by=("last_name", "first_name"))
    status = tables.Column(verbose_name="Deliverability")
    last_bounce_category = tables.Column(verbose_name="Category")
    last_bounce_subtype = tables.Column(verbose_name="Subtype")
    soft_bounce_count = tables.Column(verbose_name="Soft count")
    last_bounced_at = tables.DateTimeColumn(verbose_name="Last bounce", format="Y-m-d H:i")

    class Meta:
        model = Learner
        fields = ("email", "full_name", "department", "status", "last_bounce_category", "last_bounce_subtype",
                  "soft_bounce_count", "last_bounced_at")
        empty_text = "No learners match these filters."
