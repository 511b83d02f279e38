module.exports = { ...require('../../jest.preset.cjs'), displayName: 'service-edge', rootDir: __dirname };
