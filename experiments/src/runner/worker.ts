// Entry of a worker process (started by the pool through tsx): runs one train, evaluate or
// pictures job. Each worker initialises the tfjs backend itself: wasm runs single-threaded, so the
// runner gets its parallelism from processes.
import { serveJob } from './worker-host.js';
import { trainJob } from './train-job.js';
import { evaluateJob } from './evaluate-job.js';
import { picturesJob } from './pictures-job.js';

serveJob({ train: trainJob, evaluate: evaluateJob, pictures: picturesJob });
