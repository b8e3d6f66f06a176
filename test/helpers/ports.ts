import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The ports this machine never hands out on its own. A port from `listen(0)` comes from the
 * kernel's ephemeral range, which every outgoing connection also draws from, so between
 * choosing it and a child process binding it, another test's client socket can take it
 * ("address already in use"). Ports below (or above) that range are only ever taken on purpose.
 */
function unassignedRange(): [number, number] {
  let [low, high] = [32768, 60999];
  try {
    [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    // Not Linux: keep the common default.
  }
  return low - 10_000 >= 2_000 ? [10_000, low - 1] : [high + 1, 65_535];
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1, outside the ephemeral range, that was free a moment ago. */
export async function freePort(): Promise<number> {
  const [low, high] = unassignedRange();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found between ${low} and ${high} in 100 tries`);
}
