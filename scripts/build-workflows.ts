// Builds the prebuilt workflow bundle into .build/ (named by a hash of the workflow
// sources), unless one for the current sources is already there. Runs as part of npm's
// postinstall and as `npm run build:workflows`; workers rebuild it themselves when the
// sources changed since.
import { prebuiltWorkflowBundle } from '../workers/bundle.ts';

const started = performance.now();
const bundle = await prebuiltWorkflowBundle();
const took = ((performance.now() - started) / 1000).toFixed(1);
console.log(`tenure: workflow bundle ${bundle.built ? `built in ${took} s` : 'up to date'}: ${bundle.codePath}`);
