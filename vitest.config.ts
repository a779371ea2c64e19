import { defineConfig } from 'vitest/config';
import SummaryReporter from './scripts/summary-reporter.js';

export default defineConfig({
  test: {
    projects: ['packages/*', 'experiments', 'examples/*'],
    reporters: ['default', new SummaryReporter()],
  },
});
