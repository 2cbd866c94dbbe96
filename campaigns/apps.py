from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns and bounces"

    def ready(self):
        from campaigns.learner_pages import CampaignLearnerPages
        from contacts.extensions import register_learner_pages

        register_learner_pages(CampaignLearnerPages())
