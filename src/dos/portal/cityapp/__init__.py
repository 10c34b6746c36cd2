"""The city app's back end: the module registry shared between partner cities, each city's app
configuration and public client keys, the app content API and Open311 GeoReport v2 defect
reports (mirrored to the urban data platform as NGSI-LD ``Open311ServiceRequest`` entities)."""
