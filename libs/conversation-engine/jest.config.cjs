module.exports = { ...require('../../jest.preset.cjs'), displayName: 'conversation-engine', rootDir: __dirname };
