from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Organizations and learners"

    def ready(self):
        from contacts import preferences  # noqa: F401  (connects the login signal's receiver)
