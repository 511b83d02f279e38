// `npm test` runs every project's jest config in one run, so there is one summary for the whole
// workspace; `nx test <project>` still runs a single project.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.cjs', '<rootDir>/apps/*/jest.config.cjs', '<rootDir>/evals/jest.config.cjs'],
  reporters: ['default', '<rootDir>/tools/jest-tally-reporter.cjs'],
  // Most suites wait on real-time audio rather than compute: two workers on two cores overlap them.
  maxWorkers: 2,
  testSequencer: '<rootDir>/tools/jest-long-first-sequencer.cjs',
};
