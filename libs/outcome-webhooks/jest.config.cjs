module.exports = { ...require('../../jest.preset.cjs'), displayName: 'outcome-webhooks', rootDir: __dirname };
