// Test fixtures for tasks and the trainer; not part of the main entry (import '@yoto/core/testing').
export * from './two-target-task.js';
export * from './objective-gradients.js';
