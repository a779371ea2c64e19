import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@yoto/core', include: ['src/**/*.test.ts', 'bench/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
