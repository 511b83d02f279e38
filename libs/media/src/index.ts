export * from './lib/mulaw';
export * from './lib/call-media';
export * from './lib/speech-side-channel';
export * from './lib/call-recording';
export * from './lib/speech-aware-batcher';
export * from './lib/recording-sink';
