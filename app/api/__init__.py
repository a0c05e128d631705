"""The versioned REST API (``/api/v1``): personal access tokens, JSON endpoints, the OpenAPI document."""
