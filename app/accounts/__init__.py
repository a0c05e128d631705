"""People and organisations: users, companies (SMEs), Cybersites, roles, the access policy and sign-in."""
