// Public surface of @codcall/telephony-providers.
