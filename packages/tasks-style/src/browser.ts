// The browser build of @yoto/tasks-style (the "browser" export condition, and `./browser`): the
// portable code, with 'style-transfer' registered as the definition that reads no files. The
// explorer page fetches the photos, the painting and the loss network's bytes from its server and
// hands them to the task (`use`), then evaluates with the task's own `evaluate`.
import { registerStyleTasksWith } from './register-with.js';
import { StyleTaskDefinition } from './task-definition.js';

export * from './portable.js';
export { STYLE_TASK, type StyleTaskOptions } from './task-definition.js';

registerStyleTasksWith((o) => new StyleTaskDefinition(o));
