"""JSON-LD for the NGSI-LD broker: core contexts, @context resolution, expansion, compaction.

Pure functions over plain dicts (no Django, no storage). See docs/jsonld.md.
"""
