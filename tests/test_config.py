from pathlib import Path

import pytest

from dos.config import SETTINGS, ConfigError, load, mask_url, settings_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_defaults_load_and_generate_a_secret(tmp_path: Path) -> None:
    cfg = load({"DOS_DATA_DIR": str(tmp_path)})
    assert cfg.MODE == "development"
    assert cfg.PORT == 8000
    assert len(cfg.SECRET_KEY) > 40
    assert (tmp_path / "secret_key").read_text().strip() == cfg.SECRET_KEY
    # the same key is used on the next start
    assert load({"DOS_DATA_DIR": str(tmp_path)}).SECRET_KEY == cfg.SECRET_KEY


def test_environment_overrides_with_types(tmp_path: Path) -> None:
    cfg = load(
        {
            "DOS_DATA_DIR": str(tmp_path),
            "DOS_PORT": "9000",
            "DOS_DEBUG": "yes",
            "DOS_ALLOWED_HOSTS": "a.example, b.example",
        }
    )
    assert cfg.PORT == 9000
    assert cfg.DEBUG is True
    assert cfg.ALLOWED_HOSTS == ["a.example", "b.example"]


def test_unknown_variable_is_named() -> None:
    with pytest.raises(ConfigError, match="unknown setting DOS_PROT"):
        load({"DOS_PROT": "1"})


def test_test_harness_variables_are_not_settings(tmp_path: Path) -> None:
    load({"DOS_DATA_DIR": str(tmp_path), "DOS_TEST_POSTGRES_URL": "postgresql://x/y"})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DOS_PORT", "eighty", "DOS_PORT must be a whole number, got 'eighty'"),
        ("DOS_DEBUG", "maybe", "DOS_DEBUG must be true or false, got 'maybe'"),
        ("DOS_LOG_FORMAT", "xml", "DOS_LOG_FORMAT must be one of text, json, got 'xml'"),
        ("DOS_DATABASE_URL", "mysql://u:secret@h/db", "DOS_DATABASE_URL must be a URL starting"),
        ("DOS_MQTT_URL", "mqtt://host:notaport", "DOS_MQTT_URL has an invalid port"),
    ],
)
def test_wrong_type_is_named(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load({"DOS_DATA_DIR": str(tmp_path), name: value})
    assert message in str(info.value)
    assert "secret" not in str(info.value)
    assert "\n" not in str(info.value)


def test_production_needs_a_secret_key() -> None:
    with pytest.raises(ConfigError, match="DOS_SECRET_KEY is required in production mode"):
        load({"DOS_MODE": "production"})


def test_effective_settings_mask_secrets(tmp_path: Path) -> None:
    cfg = load(
        {
            "DOS_DATA_DIR": str(tmp_path),
            "DOS_DATABASE_URL": "postgresql://dos:hunter2@db:5432/dos",
            "DOS_SMTP_PASSWORD": "smtp-secret",
        }
    )
    shown = {name: value for name, value, _ in cfg.effective()}
    assert shown["DOS_DATABASE_URL"] == "postgresql://dos:***@db:5432/dos"
    assert shown["DOS_SMTP_PASSWORD"] == "***"
    assert shown["DOS_SECRET_KEY"] == "***"
    assert "hunter2" not in repr(cfg.effective())


def test_mask_url_keeps_urls_without_password() -> None:
    assert mask_url("mqtt://127.0.0.1:1883") == "mqtt://127.0.0.1:1883"


def test_settings_doc_is_current() -> None:
    assert DOCS.read_text() == settings_markdown(), "run `make docs` to regenerate"
    for setting in SETTINGS:
        assert setting.help, f"{setting.env} needs a help text"
