"""The roles a user can hold, per city or region-wide."""

from django.utils.translation import gettext_lazy as _

CITIZEN = "citizen"
MODERATOR = "moderator"
EDITOR = "editor"
CITY_ADMIN = "city_admin"
DATA_STEWARD = "data_steward"
REGION_ADMIN = "region_admin"

ROLE_CHOICES = [
    (MODERATOR, _("Moderator")),
    (EDITOR, _("Editor")),
    (CITY_ADMIN, _("City admin")),
    (DATA_STEWARD, _("Data steward")),
    (REGION_ADMIN, _("Region admin")),
]
"""Citizen is every signed-up user's role and is not stored; these are granted per city."""

STAFF_ROLES = frozenset(role for role, _label in ROLE_CHOICES)
