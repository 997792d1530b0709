"""Request and response bodies of the API, by audience: `patient` for /api/v1/me/."""
