"""Users, roles per city, sign-up/login (django-allauth, OIDC), GDPR export and deletion."""
