from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Organizations and learners"

    def ready(self):
        from bounceportal.tables2_speedups import install

        install()  # every portal table renders faster (see the module)
