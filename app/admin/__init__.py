"""Network administration pages: Cybersites, companies, users, roles and sent mail."""
