"""``dos broker service|device``, ``dos ingest`` and ``dos simulate`` from the shell."""

from __future__ import annotations

from tests.cli.conftest import Run


def test_service_and_device_commands(dos: Run) -> None:
    assert dos("migrate", "--only", "broker").returncode == 0
    added = dos(
        "broker",
        "service",
        "add",
        "--apikey",
        "k1",
        "--entity-type",
        "WeatherObserved",
        "--tenant",
        "dortmund",
    )
    assert added.returncode == 0, added.stderr
    device = dos(
        "broker",
        "device",
        "add",
        "d-1",
        "--attr",
        "t=temperature:CEL",
        "--location",
        "51.5,7.4",
        "--static",
        "height=3.3",
        "--tenant",
        "dortmund",
    )
    assert device.returncode == 0, device.stderr
    assert "urn:ngsi-ld:WeatherObserved:d-1" in device.stdout
    listed = dos("broker", "device", "list", "--tenant", "dortmund")
    assert "d-1" in listed.stdout and "t=temperature" in listed.stdout
    assert "1 devices" in listed.stdout
    assert "k1" in dos("broker", "service", "list", "--tenant", "dortmund").stdout
    again = dos("broker", "device", "add", "d-1", "--tenant", "dortmund")
    assert again.returncode == 2 and "device d-1 already exists" in again.stderr
    bad = dos("broker", "device", "add", "d-2", "--attr", "nonsense", "--tenant", "dortmund")
    assert bad.returncode == 2 and "OBJECT_ID=NAME" in bad.stderr
    assert dos("broker", "device", "remove", "d-1", "--tenant", "dortmund").returncode == 0
    assert "0 devices" in dos("broker", "device", "list", "--tenant", "dortmund").stdout
    gone = dos("broker", "service", "remove", "--apikey", "k1")  # another tenant: not found
    assert gone.returncode == 2 and "no service group with apikey k1" in gone.stderr


def test_ingest_needs_an_mqtt_url(dos: Run) -> None:
    result = dos("ingest")
    assert result.returncode == 2
    assert "DOS_MQTT_URL is not set" in result.stderr


def test_simulate_rejects_bad_options(dos: Run) -> None:
    result = dos("simulate", "--interval", "0")
    assert result.returncode == 2 and "--interval" in result.stderr
    assert "--speed" in dos("simulate", "--help").stdout
