"""The city app API under ``/api/app/v1/``: configuration, content, OpenAPI description."""
