export type { ActionResult, OpenAIIds } from './actions/index.ts';
