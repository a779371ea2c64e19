/**
 * Tokens naming a filter tensor's contents for the addon's reordered-filter cache
 * (native/filter_cache.h). A token is handed out once per tfjs data id (the object the wasm backend
 * keys its memory by) and never again: a disposed tensor's memory reused by a new tensor comes with a
 * new data id, hence a new token, and a variable's `assign()` moves the variable to the new value's
 * data id. tfjs never writes into a data id's memory after the kernel that created it returned, so
 * equal tokens mean equal contents — no hashing of the filter on every call, and no way to serve a
 * stale copy. The WeakMap lets a data id and its entry go with the tensor.
 */
const tokens = new WeakMap<object, number>();
let next = 0;

export function filterToken(dataId: object): number {
  let t = tokens.get(dataId);
  if (t === undefined) {
    t = next++;
    tokens.set(dataId, t);
  }
  return t;
}
