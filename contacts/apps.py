from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Organizations and learners"

    def ready(self):
        # Connect the user_logged_in receivers: the user's language, and a login waiting for its one-time code.
        from contacts import preferences, two_factor_gate  # noqa: F401
