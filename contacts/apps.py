from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Organizations and learners"

    def ready(self):
        # Connect the user_logged_in receivers: the user's language, and a login waiting for its one-time code.
        from contacts import preferences, two_factor_gate  # noqa: F401
        from contacts.learner_counters import recount_learner_days_when_the_zone_changes
        from contacts.signals import organization_time_zone_changed

        organization_time_zone_changed.connect(recount_learner_days_when_the_zone_changes, dispatch_uid="learner-days")
