"""Named permissions of the tenancy app (see dos.portal.accounts.permissions)."""

from dos.portal.accounts.roles import CITY_ADMIN, REGION_ADMIN

PERMISSIONS = {
    "tenancy.view_region": {CITY_ADMIN},
    "tenancy.change_region": set(),
    "tenancy.add_city": set(),
    "tenancy.view_city": {CITY_ADMIN},
    "tenancy.change_city": {CITY_ADMIN},
    "tenancy.delete_city": set(),
}
"""Region admins (:data:`REGION_ADMIN`) hold every permission; listed here is who else does."""

__all__ = ["PERMISSIONS", "REGION_ADMIN"]
