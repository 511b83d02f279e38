const preset = require('../../jest.preset.cjs');

// commander 15 ships only ES modules. Node 20 can require() them, Jest's module loader cannot, so
// SWC (the preset's TypeScript transform, which reads plain JavaScript too) compiles it to CommonJS.
const [swc] = Object.values(preset.transform);

module.exports = {
  ...preset,
  displayName: 'outbound-cli',
  rootDir: __dirname,
  transform: { ...preset.transform, '/node_modules/commander/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!commander/)'],
};
