import { defineConfig } from 'vitest/config';

// One run covers every workspace; each project keeps its own tests beside its code.
export default defineConfig({
  test: {
    projects: ['apps/id', 'apps/dashboard', 'e2e'],
    reporters: ['default', './scripts/summary-reporter.mjs'],
  },
});
