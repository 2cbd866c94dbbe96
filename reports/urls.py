from django.urls import path

app_name = "reports"

# The dashboards (issue "Portal pages") add their routes here.
urlpatterns: list = []
