// Public surface of @codcall/test-support.
