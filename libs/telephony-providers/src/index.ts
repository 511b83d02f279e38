export * from './lib/carrier';
export * from './lib/twilio/media-stream-codec';
export * from './lib/twilio/twiml';
export * from './lib/twilio/status';
export * from './lib/twilio/signature';
export * from './lib/twilio/twilio-carrier';
export * from './lib/simulator/callee-book';
export * from './lib/simulator/simulator-carrier';
