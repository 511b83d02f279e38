module.exports = { ...require('../../jest.preset.cjs'), displayName: 'service-auth', rootDir: __dirname };
