from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Organizations and learners"

    def ready(self):
        from contacts import preferences  # noqa: F401  (connects the login signal's receiver)
        # Connects the user_logged_in receiver that makes a login wait for its one-time code.
        from contacts import two_factor_gate  # noqa: F401
