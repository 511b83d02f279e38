// Public surface of @codcall/conversation-engine.
