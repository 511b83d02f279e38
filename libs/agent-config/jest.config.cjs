module.exports = { ...require('../../jest.preset.cjs'), displayName: 'agent-config', rootDir: __dirname };
