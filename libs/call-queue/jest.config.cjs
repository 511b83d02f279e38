module.exports = { ...require('../../jest.preset.cjs'), displayName: 'call-queue', rootDir: __dirname };
