from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "reports.api"
    label = "api"
    verbose_name = "REST API"
