"""IoT-agent-style southbound of the broker: service groups, devices and their measures.

Service groups (an API key per tenant and entity type) and devices (device id → entity, with
an attribute mapping ``object_id → name, type, unitCode``) are stored in the broker database
(:mod:`dos.broker.ingest.registry`) and managed over ``/iot/services`` and ``/iot/devices``
(:mod:`dos.broker.ingest.http`, the shape of the FIWARE IoT Agent JSON provisioning API).
Measures arrive over HTTP ``POST /iot/json?k=<apikey>&i=<device_id>`` or MQTT
``/<apikey>/<device_id>/attrs`` (:mod:`dos.broker.ingest.mqtt`); each becomes an attribute
update of the device's entity (:mod:`dos.broker.ingest.measures`).
"""
