import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_oidc_login_is_offered_when_configured(client: Client, settings) -> None:
    assert "openid_connect" not in settings.SOCIALACCOUNT_PROVIDERS
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Keycloak der Region",
                    "client_id": "dos",
                    "secret": "s",
                    "settings": {"server_url": "http://127.0.0.1:9/realms/dos"},
                }
            ]
        }
    }
    html = client.get("/accounts/login/").content.decode()
    assert "Keycloak der Region" in html
    assert "/accounts/oidc/sso/login/" in html


def test_oidc_settings_come_from_the_environment(tmp_path) -> None:
    import subprocess
    import sys

    code = (
        "from django.conf import settings; import django; django.setup(); "
        "app = settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'][0]; "
        "print(app['client_id'], app['settings']['server_url'])"
    )
    env = {
        "DOS_DATA_DIR": str(tmp_path),
        "DOS_OIDC_ISSUER": "https://sso.example/realms/dos",
        "DOS_OIDC_CLIENT_ID": "dos-portal",
        "DJANGO_SETTINGS_MODULE": "dos.portal.settings",
        "PATH": "/usr/bin:/bin",
    }
    import os

    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "dos-portal https://sso.example/realms/dos", out.stderr
