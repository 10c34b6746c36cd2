"""Named permissions of the city app (see dos.portal.accounts.permissions).

Region admins hold every permission. City admins run their city's app (modules they own, what
they adopt, client keys, services); editors also handle defect reports and services.
"""

from dos.portal.accounts.roles import CITY_ADMIN, EDITOR

PERMISSIONS = {
    "cityapp.view_module": {CITY_ADMIN},
    "cityapp.add_module": {CITY_ADMIN},
    "cityapp.change_module": {CITY_ADMIN},
    "cityapp.delete_module": set(),
    "cityapp.view_moduleversion": {CITY_ADMIN},
    "cityapp.add_moduleversion": {CITY_ADMIN},
    "cityapp.change_moduleversion": set(),
    "cityapp.delete_moduleversion": set(),
    "cityapp.view_appsettings": {CITY_ADMIN},
    "cityapp.add_appsettings": {CITY_ADMIN},
    "cityapp.change_appsettings": {CITY_ADMIN},
    "cityapp.delete_appsettings": set(),
    "cityapp.view_adoption": {CITY_ADMIN},
    "cityapp.add_adoption": {CITY_ADMIN},
    "cityapp.change_adoption": {CITY_ADMIN},
    "cityapp.delete_adoption": {CITY_ADMIN},
    "cityapp.view_clientkey": {CITY_ADMIN},
    "cityapp.add_clientkey": {CITY_ADMIN},
    "cityapp.change_clientkey": {CITY_ADMIN},
    "cityapp.delete_clientkey": set(),
    "cityapp.view_service": {CITY_ADMIN, EDITOR},
    "cityapp.add_service": {CITY_ADMIN, EDITOR},
    "cityapp.change_service": {CITY_ADMIN, EDITOR},
    "cityapp.delete_service": {CITY_ADMIN},
    "cityapp.view_servicerequest": {CITY_ADMIN, EDITOR},
    "cityapp.add_servicerequest": {CITY_ADMIN, EDITOR},
    "cityapp.change_servicerequest": {CITY_ADMIN, EDITOR},
    "cityapp.delete_servicerequest": set(),
}
