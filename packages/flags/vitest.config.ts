import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@yoto/flags', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
});
