/** A wake-up signal: `wait(ms)` resolves on the next `notify()` or after `ms`, whichever first. */
export class Signal {
  #waiters: (() => void)[] = [];

  /** Resolves on the next notify() or after `ms` milliseconds. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(done);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve();
      }, ms);
      this.#waiters.push(done);
    });
  }

  /** Wakes every current waiter. */
  notify(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }
}
