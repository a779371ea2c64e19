import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@yoto/bench-stats', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
});
