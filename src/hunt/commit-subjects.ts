// Commit subjects for progress lines and the store, fetched in batches: the probes a parallel hunt starts
// together cost one `git log` between them, run while their tests run rather than while they check out.
import type { History } from '../history/history.js';

/** Long enough for a round's checkouts to finish, short against any test worth running in parallel. */
const LOOKUP_DELAY_MS = 60;

export class CommitSubjects {
  private readonly known = new Map<string, Promise<string>>();
  private batch: Map<string, { resolve: (subject: string) => void }> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly history: History) {}

  /**
   * The subject of a commit; requests made close together share one lookup. `whileRunning`: the caller waits for
   * a probe anyway, so the lookup waits a moment and stays out of the way of the checkouts. Never rejects.
   */
  of(commit: string, whileRunning = false): Promise<string> {
    const known = this.known.get(commit);
    if (known) return known;
    this.batch ??= new Map();
    if (!whileRunning) {
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(() => void this.flush());
    } else this.timer ??= setTimeout(() => void this.flush(), LOOKUP_DELAY_MS);
    const batch = this.batch;
    const subject = new Promise<string>((resolve) => batch.set(commit, { resolve }));
    this.known.set(commit, subject);
    return subject;
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!batch) return;
    let infos: Awaited<ReturnType<History['describe']>> | undefined;
    try {
      infos = await this.history.describe([...batch.keys()]);
    } catch {
      infos = undefined;
    }
    for (const [commit, waiter] of batch) waiter.resolve(infos?.get(commit)?.subject ?? '');
  }
}
