from django.contrib import admin

from reports.api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "prefix", "scope", "can_clear", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "organization"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "organization__name"]

    def has_add_permission(self, request):
        return False  # keys are made by the organization's admins, who see the secret once
