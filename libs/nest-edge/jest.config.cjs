module.exports = { ...require('../../jest.preset.cjs'), displayName: 'nest-edge', rootDir: __dirname };
