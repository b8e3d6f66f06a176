// Prints the run's totals as one plain line ("tests: N passed, N failed"), after Jest's
// own summary, so any reader of the log can tell at a glance what ran.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stderr.write(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}` + "\n");
  }
}
