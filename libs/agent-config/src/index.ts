// Public surface of @codcall/agent-config.
