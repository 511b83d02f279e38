module.exports = { ...require('../../jest.preset.cjs'), displayName: 'agent-api', rootDir: __dirname };
