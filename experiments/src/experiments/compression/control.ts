// The equal-steps control of the compression experiment: a baseline trained for as many steps as the
// YOTO model. It is recorded as a baseline run; its key tells it apart (plan, gallery and report).

export const CONTROL_KEY_PREFIX = 'control-';

/** Whether a run key (`control-lambda=0.018`) or tracker run name (`<profile>/<key>/<hash>`) is the control's. */
export function isControl(keyOrName: string): boolean {
  const parts = keyOrName.split('/');
  return (parts.length === 3 ? parts[1] : keyOrName).startsWith(CONTROL_KEY_PREFIX);
}
