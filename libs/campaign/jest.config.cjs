module.exports = { ...require('../../jest.preset.cjs'), displayName: 'campaign', rootDir: __dirname };
