/**
 * A test stage that runs at most once however many tests await it: end-to-end tests that check
 * successive commands of one story each await the stage they check (which awaits the stages before
 * it), so every test also runs alone with `-t`, and run together the story is told once.
 */
export function once<T>(stage: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= stage());
}
