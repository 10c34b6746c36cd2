"""The portal: the Django project with one app per domain (tenancy, accounts, web, …)."""
