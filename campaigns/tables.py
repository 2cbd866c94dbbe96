import django_tables2 as tables

from campaigns.models import Campaign, Send


class CampaignTable(tables.Table):
    name = tables.Column(linkify=("campaigns:campaign-detail", {"pk": tables.A("pk")}))
    created_at = tables.DateTimeColumn(format="Y-m-d")

    class Meta:
        model = Campaign
        fields = ("name", "subject", "from_email", "created_at")
        empty_text = "No campaigns yet."


class SendTable(tables.Table):
    email = tables.Column(verbose_name="Learner",
                          linkify=("contacts:learner-detail", {"pk": tables.A("learner_id")}))
    status = tables.Column()
    domain = tables.Column()
    status_changed_at = tables.DateTimeColumn(verbose_name="Time", format="Y-m-d H:i")

    class Meta:
        model = Send
        fields = ("email", "status", "domain", "status_changed_at")
        empty_text = "No sends match these filters."
