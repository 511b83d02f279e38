module.exports = { ...require('../jest.preset.cjs'), displayName: 'evals', rootDir: __dirname };
