module.exports = { ...require('../../jest.preset.cjs'), displayName: 'telephony-gateway', rootDir: __dirname };
