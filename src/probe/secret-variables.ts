// Culprit's own secrets in its environment (the queue key, the Redis password): never handed to a build or a test,
// which could read them and sign jobs of their own.

export const SECRET_VARIABLES = ['CULPRIT_QUEUE_KEY', 'CULPRIT_REDIS_PASSWORD'] as const;

export function withoutSecrets(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...environment };
  for (const name of SECRET_VARIABLES) delete copy[name];
  return copy;
}

/** Once read, they leave this process's environment: whatever it starts later cannot inherit them. */
export function forgetSecrets(environment: NodeJS.ProcessEnv = process.env): void {
  for (const name of SECRET_VARIABLES) delete environment[name];
}
