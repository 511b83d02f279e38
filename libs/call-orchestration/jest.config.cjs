module.exports = { ...require('../../jest.preset.cjs'), displayName: 'call-orchestration', rootDir: __dirname };
