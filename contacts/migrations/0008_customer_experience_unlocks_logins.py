"""The Customer experience group may see login lockouts and unlock them (django-axes' failure records):
``view_accessattempt`` and ``delete_accessattempt`` (the admin's "Unlock" action needs the latter)."""

from django.db import migrations

GROUP_NAME = "Customer experience"
PERMISSIONS = [
    ("axes", "accessattempt", "view_accessattempt", "Can view access attempt"),
    ("axes", "accessattempt", "delete_accessattempt", "Can delete access attempt"),
]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, model, codename, name in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    codenames = [codename for _, _, codename, _ in PERMISSIONS]
    for group in Group.objects.filter(name=GROUP_NAME):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="axes", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_clearance_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
