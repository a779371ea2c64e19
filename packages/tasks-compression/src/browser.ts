// The browser build of @yoto/tasks-compression (the "browser" export condition, and `./browser`):
// the portable code, with 'bls-factorized' registered without its image files. File IO
// (codec/files.ts) and the image sets (data/images.ts) stay in the Node entry; the explorer page
// gets its images from the server or from the user's drop.
import { BlsFactorizedDefinition } from './task/bls-definition.js';
import { registerCompressionTasksWith } from './task/register-with.js';

export * from './portable.js';

registerCompressionTasksWith((options) => new BlsFactorizedDefinition(options));
