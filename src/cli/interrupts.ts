// Ctrl-C and SIGTERM become an AbortSignal: the running probe's process group is killed, the hunt unwinds
// through its cleanup, and culprit exits 130. A second Ctrl-C SIGKILLs what still runs; a third exits at once.
import { killRunningCommands } from '../probe/process-runner.js';

export interface InterruptScope {
  signal: AbortSignal;
  dispose(): void;
}

export function catchInterrupts(stopping = 'stopping the probe and cleaning up'): InterruptScope {
  const controller = new AbortController();
  let received = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) {
      process.stderr.write(`\nculprit: ${name} received, ${stopping}\n`);
      controller.abort(name);
    } else if (received === 2) {
      // A probe that ignores SIGTERM would keep the hunt waiting for the whole grace: kill it now, and still unwind
      // as for the first, so the hunt is kept as interrupted with its resume line.
      const runs = killRunningCommands();
      const killed = runs === 0 ? 'no command is running' : `killed ${runs === 1 ? 'the running command' : `${runs} running commands`} with SIGKILL`;
      process.stderr.write(`culprit: ${name} again: ${killed}; once more exits at once\n`);
    } else process.exit(130);
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
