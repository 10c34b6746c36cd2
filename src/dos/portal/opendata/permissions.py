"""Who may change the catalogue: data stewards and city admins of the dataset's city."""

from dos.portal.accounts.roles import CITY_ADMIN, DATA_STEWARD

STEWARDS = {DATA_STEWARD, CITY_ADMIN}

PERMISSIONS = {
    "opendata.view_dataset": STEWARDS,
    "opendata.view_distribution": STEWARDS,
    "opendata.add_dataset": STEWARDS,
    "opendata.change_dataset": STEWARDS,
    "opendata.delete_dataset": STEWARDS,
    "opendata.sync_dataset": STEWARDS,
    "opendata.add_distribution": STEWARDS,
    "opendata.change_distribution": STEWARDS,
    "opendata.delete_distribution": STEWARDS,
}
