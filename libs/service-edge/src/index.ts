export * from './lib/access-policy';
export * from './lib/api-keys';
export * from './lib/loopback';
export * from './lib/json-api-body';
export * from './lib/edge-settings';
export * from './lib/provider-url';
