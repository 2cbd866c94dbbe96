from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.DashboardIndexView.as_view(), name="index"),
    path("dashboards/learners/", views.LearnerReportView.as_view(), name="learner-report"),
    path("email-status/", views.EmailStatusReportView.as_view(), name="email-status"),
]
