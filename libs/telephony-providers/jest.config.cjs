module.exports = { ...require('../../jest.preset.cjs'), displayName: 'telephony-providers', rootDir: __dirname };
