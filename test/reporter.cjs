// Mocha's spec reporter plus the plain closing line CI reads: "N passed, N failed".
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    runner.on('pass', () => { passed += 1; });
    runner.on('fail', () => { failed += 1; });
    runner.on('pending', () => { skipped += 1; });
    runner.once('end', () => {
      process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
    });
  }
}

module.exports = SummaryReporter;
