// The browser build of @yoto/tasks-style (the "browser" export condition, and `./browser`): model,
// space, loss network and loss terms, with 'style-transfer' registered as the definition that reads
// no files. The explorer page fetches the photos, the painting and the loss network's bytes from its
// server and hands them to the task (`use`), then evaluates with the task's own `evaluate`.
import { registerStyleTasksWith } from './register-with.js';
import { StyleTaskDefinition } from './task-definition.js';

export * from './losses/gram.js';
export * from './losses/terms.js';
export * from './losses/style-loss.js';
export * from './loss-network/topology.js';
export * from './loss-network/network.js';
export * from './loss-network/from-bytes.js';
export * from './loss-network/presets.js';
export * from './model/config.js';
export * from './model/transformer.js';
export * from './pixels.js';
export * from './space.js';
export * from './stylize-at.js';
export * from './task-definition.js';
export { registerStyleTasksWith };

registerStyleTasksWith((o) => new StyleTaskDefinition(o));
