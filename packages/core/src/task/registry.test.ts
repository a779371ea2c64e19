import { afterEach, describe, expect, it } from 'vitest';
import { createTask, listTasks, registerTask, unregisterTask } from './registry.js';
import type { Task } from './task.js';

describe('task registry', () => {
  afterEach(() => {
    unregisterTask('registry-test-a');
    unregisterTask('registry-test-b');
  });

  it('creates registered tasks with their options and lists names', () => {
    const seen: unknown[] = [];
    registerTask('registry-test-b', (o) => {
      seen.push(o);
      return { name: 'registry-test-b' } as Task;
    });
    registerTask('registry-test-a', () => ({ name: 'registry-test-a' }) as Task);
    expect(createTask('registry-test-b', { limit: 3 }).name).toBe('registry-test-b');
    expect(seen).toEqual([{ limit: 3 }]);
    const names = listTasks();
    expect(names.indexOf('registry-test-a')).toBeLessThan(names.indexOf('registry-test-b'));
  });

  it('rejects unknown names (listing the registered ones) and duplicates', () => {
    registerTask('registry-test-a', () => ({ name: 'registry-test-a' }) as Task);
    expect(() => createTask('nope')).toThrow(/unknown task 'nope'; registered tasks: .*'registry-test-a'/);
    expect(() => registerTask('registry-test-a', () => ({}) as Task)).toThrow(/'registry-test-a' is already registered/);
    expect(() => registerTask('', () => ({}) as Task)).toThrow(/non-empty string/);
  });
});
