"""Platform core: configuration, extensions, errors, security, mail and i18n helpers (no feature imports)."""
