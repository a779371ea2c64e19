import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@yoto/example-add-an-experiment', include: ['*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
