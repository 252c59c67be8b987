// Waiting on a network peer that may never answer (Redis down at shutdown): at most so long, then a fallback that
// does not wait (cutting the connection).

export async function withDeadline(work: Promise<unknown>, ms: number, fallback: () => unknown): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), ms);
  });
  const outcome = await Promise.race([work.then(() => 'done' as const, () => 'done' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'expired') await Promise.resolve(fallback()).catch(() => undefined);
}
