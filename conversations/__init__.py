"""Platform-neutral conversations: turns in, typed replies out, dialog state, flows."""
