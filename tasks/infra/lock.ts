/**
 * A cross-process file lock, so that the test bed and `up` (or two shells) never download or
 * build the same thing at once. The lock file holds the owner's pid; a lock whose owner is
 * gone is stale and taken over.
 *
 * @module
 */
import { pidAlive, readPidFile } from "./pid.ts";
import { formatDuration, say } from "./progress.ts";

/**
 * Runs `work` while holding the lock file at `path`, waiting (with a progress line every
 * 15 s) while another live process holds it. While waiting, `done` (if given) is polled: when
 * it yields a value (another process finished the same work) that value is returned without
 * taking the lock, so a waiter is not held up by the holder's next, unrelated job.
 */
export async function withFileLock<T>(
  path: string,
  component: string,
  work: () => Promise<T>,
  done?: () => Promise<T | undefined>,
): Promise<T> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const started = Date.now();
  let lastNote = 0;
  while (true) {
    try {
      const file = await Deno.open(path, { write: true, createNew: true });
      await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
      file.close();
      break;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      const owner = readPidFile(path);
      if (owner === undefined) {
        // Either being written right now or garbage: give a writer a moment, then take over.
        const mtime = (await Deno.stat(path).catch(() => null))?.mtime?.getTime();
        if (mtime !== undefined && Date.now() - mtime > 5_000) {
          await Deno.remove(path).catch(() => {});
        }
      } else if (!pidAlive(owner)) {
        await Deno.remove(path).catch(() => {});
        continue;
      }
      if (done) {
        const result = await done();
        if (result !== undefined) return result;
      }
      if (Date.now() - lastNote > 15_000) {
        lastNote = Date.now();
        say(
          component,
          `waiting for another process (pid ${owner ?? "?"}) holding ${path} … ${
            formatDuration(Date.now() - started)
          }`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await work();
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}
