// Prints the closing line CI reads: "N passed, N failed" (", N skipped" when any were skipped).
export default class SummaryReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const testModule of testModules) {
      let moduleFailures = 0;
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') moduleFailures += 1;
        else skipped += 1;
      }
      // A file that failed to load, or whose beforeAll/afterAll hook failed (its tests then
      // show as skipped), failed though none of its tests did: it counts as one failure.
      failed += moduleFailures === 0 && testModule.state() === 'failed' ? 1 : moduleFailures;
    }
    failed += unhandledErrors.length;
    const line = `${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
    process.stdout.write(`\n${line}\n`);
  }
}
