"""The helpdesk domain: models, rules and queries. No Qt, no HTTP: both ends of sync share it."""
