// The browser build of @yoto/tasks-vae (the "browser" export condition): model, task definition and
// decoding at a β, with the tasks registered without data (the explorer page gets its test images
// from the server, so a browser task that is asked for its dataset says so).
import { registerVaeTasksWith } from './register.js';
import { defineVaeTask } from './task-definition.js';

export * from './config.js';
export * from './losses.js';
export * from './model.js';
export * from './seeds.js';
export * from './task-definition.js';
export * from './decode-at.js';
export { registerVaeTasksWith };

registerVaeTasksWith((o) =>
  defineVaeTask(o, (dataset, split) => {
    throw new Error(`the ${dataset} ${split} images are not available in the browser; the page receives its images from the explorer server`);
  }),
);
