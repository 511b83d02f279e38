module.exports = { ...require('../../jest.preset.cjs'), displayName: 'outbound-cli', rootDir: __dirname };
