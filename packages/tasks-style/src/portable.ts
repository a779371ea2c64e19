// What @yoto/tasks-style holds without Node: model, space, loss network, losses and the task
// definition. The Node entry (index.ts) adds the files (data root, decoding); the browser entry
// (browser.ts) registers the definition.
export * from './losses/gram.js';
export * from './losses/terms.js';
export * from './losses/style-loss.js';
export * from './losses/pixel-optimise.js';
export * from './loss-network/topology.js';
export * from './loss-network/network.js';
export * from './loss-network/from-bytes.js';
export * from './loss-network/presets.js';
export * from './model/config.js';
export * from './model/transformer.js';
export * from './pixels.js';
export * from './space.js';
export * from './stylize-at.js';
export { StyleTaskDefinition, type StyleMaterials } from './task-definition.js';
export { registerStyleTasksWith } from './register-with.js';
