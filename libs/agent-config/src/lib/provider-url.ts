// The URL rule is the services' own (service-edge), shared with the outcome webhooks.
export { providerUrlProblem, type ProviderUrlPolicy } from '@codcall/service-edge';
