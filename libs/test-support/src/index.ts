// Test doubles shared by tests and benchmarks: local servers that speak our services' real HTTP
// APIs (so real clients are exercised), and an in-memory call list.
export * from './lib/fake-codcall-services';
export * from './lib/in-memory-call-list';
export * from './lib/sample-agent';
export * from './lib/fake-clock';
export * from './lib/in-process-gateway';
export * from './lib/fakes/twilio-fake-server';
export * from './lib/fakes/plivo-fake-server';
export * from './lib/fakes/deepgram-fake-server';
export * from './lib/fakes/elevenlabs-fake-server';
export * from './lib/fakes/embedded-speech';
export * from './lib/fakes/openai-fake-server';
export * from './lib/recording-audio-output';
export * from './lib/free-port';
export * from './lib/redis-server';
export * from './lib/fake-campaign-api';
