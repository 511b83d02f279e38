module.exports = { ...require('../../jest.preset.cjs'), displayName: 'campaign-store', rootDir: __dirname };
