"""The CRM core: models, services, permissions, search and geo. Knows no chat platform."""
