// Group commit: writes that arrive while a commit is running (or in the same turn of the event loop) are committed
// together in the next transaction, and each caller is answered after the commit that holds its writes. One fsync
// then serves many writes, which is what lets a store take thousands of durable writes a second.

interface Pending<W, R> {
  writes: readonly W[];
  resolve: (results: R[]) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<W, R> {
  private queue: Pending<W, R>[] = [];
  private running: Promise<void> | null = null;
  private scheduled = false;

  /**
   * @param commit commits every group in one transaction and returns each group's results, in order. When a
   *   transaction of several groups fails, each group is retried alone, so one bad group fails only its own caller.
   */
  constructor(private readonly commit: (groups: (readonly W[])[]) => Promise<R[][]>) {}

  submit(writes: readonly W[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.queue.push({ writes, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.running || this.scheduled || this.queue.length > 0) {
      if (this.running) await this.running;
      else await new Promise<void>((ok) => setImmediate(ok));
    }
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate: the writes of requests parsed in this turn of the event loop join the same commit.
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.flush().finally(() => {
        this.running = null;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      const results = await this.commit(batch.map((p) => p.writes));
      batch.forEach((p, i) => p.resolve(results[i] ?? []));
    } catch (err) {
      if (batch.length === 1) batch[0]?.reject(err);
      else for (const p of batch) await this.commit([p.writes]).then(([r]) => p.resolve(r ?? []), p.reject);
    }
  }
}
