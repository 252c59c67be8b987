// Commit subjects for progress lines and the store, fetched in batches: the probes a parallel hunt starts
// together cost one `git log` between them instead of one each, on the way to every round.
import type { History } from '../history/history.js';

export class CommitSubjects {
  private readonly known = new Map<string, Promise<string>>();
  private batch: Map<string, { resolve: (subject: string) => void }> | undefined;

  constructor(private readonly history: History) {}

  /** The subject of a commit; requests made in the same tick share one lookup. Never rejects: unknown is ''. */
  of(commit: string): Promise<string> {
    const known = this.known.get(commit);
    if (known) return known;
    if (!this.batch) {
      this.batch = new Map();
      setImmediate(() => void this.flush());
    }
    const batch = this.batch;
    const subject = new Promise<string>((resolve) => batch.set(commit, { resolve }));
    this.known.set(commit, subject);
    return subject;
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = undefined;
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
