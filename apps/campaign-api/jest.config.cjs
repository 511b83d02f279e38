module.exports = { ...require('../../jest.preset.cjs'), displayName: 'campaign-api', rootDir: __dirname };
