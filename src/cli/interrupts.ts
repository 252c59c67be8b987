// Ctrl-C and SIGTERM become an AbortSignal: the running probe's process group is killed, the hunt unwinds
// through its cleanup, and culprit exits 130. A second Ctrl-C exits at once.

export interface InterruptScope {
  signal: AbortSignal;
  dispose(): void;
}

export function catchInterrupts(stopping = 'stopping the probe and cleaning up'): InterruptScope {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\nculprit: ${name} received, ${stopping}\n`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    },
  };
}
