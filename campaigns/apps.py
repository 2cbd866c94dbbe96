from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns and bounces")

    def ready(self):
        from campaigns.counters import recount_days_when_the_zone_changes
        from campaigns.learner_pages import CampaignLearnerPages
        from contacts.extensions import register_learner_pages
        from contacts.signals import organization_time_zone_changed

        register_learner_pages(CampaignLearnerPages())
        organization_time_zone_changed.connect(recount_days_when_the_zone_changes, dispatch_uid="recount-days")
