// Starts the local stack (OpenSearch, moto, Slack receiver) for integration tests, and stops what it started.
import { ensureStack, stopStack } from '#scripts/local/stack.ts';

let started: string[] = [];

export async function setup(): Promise<void> {
  ({ started } = await ensureStack());
}

export async function teardown(): Promise<void> {
  if (started.length > 0) await stopStack(started);
}
