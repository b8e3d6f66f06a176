/**
 * The local dev stack: finding and installing the Temporal binaries, running the
 * embedded Temporal dev server, and `tenure dev`, which starts every part at once.
 *
 *   const stack = await startDevStack(config, process.env, logger, console.log);
 *   process.once('SIGINT', () => stack.stop());
 */
export { startDevStack, type DevStack } from './dev.ts';
export { startDevServer, searchAttributeFlags, DevServerError, type DevServer, type DevServerOptions } from './temporal-server.ts';
export { findTool, requireTool, installTool, TOOLS, TOOLS_BIN, PROJECT_ROOT, ToolNotFoundError, type ToolName } from './tools.ts';
export { devSecrets, type DevSecrets } from './dev-secrets.ts';
export { sandboxConfig } from './sandbox.ts';
