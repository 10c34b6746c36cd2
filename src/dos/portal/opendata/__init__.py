"""Open data: the catalogue of the region's datasets, its DCAT-AP.de export, a CKAN-compatible
Action API and streamed downloads of the cities' urban data (read through the NGSI-LD client)."""
