module.exports = { ...require('../../jest.preset.cjs'), displayName: 'languages', rootDir: __dirname };
