// Public surface of @codcall/campaign.
