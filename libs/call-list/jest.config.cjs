module.exports = { ...require('../../jest.preset.cjs'), displayName: 'call-list', rootDir: __dirname };
