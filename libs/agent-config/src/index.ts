export * from './lib/runtime-config';
export * from './lib/agent-config.dto';
export * from './lib/validate-agent';
export * from './lib/to-runtime-config';
export * from './lib/template';
export * from './lib/provider-url';
export * from './lib/localise-agent';
