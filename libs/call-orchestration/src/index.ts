// Public surface of @codcall/call-orchestration.
