// Public surface of @codcall/call-list.
