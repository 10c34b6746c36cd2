"""The NGSI-LD context broker (ETSI GS CIM 009): the urban data platform of DOS.

This package never imports ``dos.portal`` or Django (tests/broker/test_boundary.py enforces it),
so it can run and scale on its own (``dos serve --only broker``).
"""
