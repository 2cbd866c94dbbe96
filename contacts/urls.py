from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.LearnerListView.as_view(), name="learner-list"),
    path("clear/", views.LearnerBulkClearView.as_view(), name="learner-bulk-clear"),
    path("<int:pk>/", views.LearnerDetailView.as_view(), name="learner-detail"),
    path("<int:pk>/edit/", views.LearnerEditView.as_view(), name="learner-edit"),
]
