import type { DevServer } from '../../devstack/index.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __tenureTemporal?: DevServer }).__tenureTemporal?.stop();
}
