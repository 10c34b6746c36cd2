"""Dashboards: "the city at a glance" — sensor maps, station charts, analyses and KPI tiles.

Every value comes from the NGSI-LD broker through :mod:`dos.broker.client`, so the pages work
unchanged against an external broker (``DOS_BROKER_URL``).
"""
