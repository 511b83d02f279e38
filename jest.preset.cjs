// Shared jest settings: SWC transpiles (type checking is the build's job), path aliases
// resolve to the libs' sources exactly as tsconfig.base.json declares them.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');
const fs = require('node:fs');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, target);
}

module.exports = {
  testEnvironment: 'node',
  // NestJS 12 ships ES modules only; jest (before Node 24.9) cannot require them, so SWC turns
  // them into CommonJS like our own sources.
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|file-type|load-esm|commander)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/*.spec.ts'],
  setupFiles: [path.join(__dirname, 'jest.setup.cjs')],
};
