import type { Task } from './task.js';

/** Builds a task; options are task-specific (e.g. a dataset subset) and must be JSON-able. */
export type TaskFactory = (options?: Record<string, unknown>) => Task;

// Kept on globalThis so that two copies of this module (e.g. a test runner loading it twice) share one registry.
const KEY = Symbol.for('@yoto/core/task-registry');
const holder = globalThis as unknown as Record<symbol, Map<string, TaskFactory> | undefined>;
const factories: Map<string, TaskFactory> = (holder[KEY] ??= new Map<string, TaskFactory>());

/** Registers a task under `name`; a second registration of the same name is an error. */
export function registerTask(name: string, factory: TaskFactory): void {
  if (typeof name !== 'string' || name.trim() === '') throw new Error(`registerTask: the name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (typeof factory !== 'function') throw new Error(`registerTask('${name}'): the factory must be a function`);
  if (factories.has(name)) throw new Error(`registerTask: a task named '${name}' is already registered`);
  factories.set(name, factory);
}

/** Builds the task registered under `name`. */
export function createTask(name: string, options?: Record<string, unknown>): Task {
  const factory = factories.get(name);
  if (!factory) {
    const known = listTasks();
    throw new Error(`unknown task '${name}'; registered tasks: ${known.length ? known.map((n) => `'${n}'`).join(', ') : '(none: import a task package to register its tasks)'}`);
  }
  return factory(options);
}

/** Registered names, sorted. */
export function listTasks(): string[] {
  return [...factories.keys()].sort();
}

/** Removes a registration (for tests that register throwaway tasks); returns whether it existed. */
export function unregisterTask(name: string): boolean {
  return factories.delete(name);
}
