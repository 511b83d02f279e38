// Runs the long real-time suites first, so that on two workers they overlap the short specs instead
// of trailing after them: a fresh CI clone has no timing cache, and jest would order by file size.
// The offline evals (about 100 real-time calls) go first, then the end-to-end stories, then the rest
// as jest orders them (its timing cache when it has one, else file size).
const Sequencer = require('@jest/test-sequencer').default;

function weight(path) {
  if (/\/evals\/src\/evals\.spec\.ts$/.test(path)) return 0;
  if (/\.e2e\.spec\.ts$/.test(path)) return 1;
  return 2;
}

class LongFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    if (ordered instanceof Promise) return ordered.then((list) => this.longFirst(list));
    return this.longFirst(ordered);
  }

  longFirst(list) {
    return list.map((test, index) => ({ test, index })).sort((a, b) => weight(a.test.path) - weight(b.test.path) || a.index - b.index).map(({ test }) => test);
  }
}

module.exports = LongFirstSequencer;
