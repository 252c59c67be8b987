// Whether a process id names a live process: how a workspace slot or a hunt tells that its owner died.
// A leaf module, so the store can ask it without depending on the probe layer.

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
