/**
 * The `tenure` subcommands: each one's name, the line `tenure --help` shows for it, and how to
 * load it. cli/main.ts loads only the command being run, so a command starts with what it uses
 * and nothing else (`validate` never loads Temporal, `runs` never loads the worker).
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

export interface CommandEntry {
  readonly name: string;
  readonly description: string;
  readonly load: () => Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'dev',
    description: 'run everything on this machine: embedded Temporal (unless TEMPORAL_ADDRESS), the sandbox emulator (unless OPENAI_ADMIN_KEY), the worker and the trigger server',
    load: async () => (await import('./dev.ts')).registerDev,
  },
  {
    name: 'worker',
    description: 'run a worker against TEMPORAL_ADDRESS (OPENAI_ADMIN_KEY; without it, sandbox mode: the emulator at OPENAI_BASE_URL)',
    load: async () => (await import('./worker.ts')).registerWorker,
  },
  { name: 'serve', description: 'run the trigger server against TEMPORAL_ADDRESS', load: async () => (await import('./serve.ts')).registerServe },
  {
    name: 'emulator',
    description: 'run the OpenAI Admin API emulator (with its generic SCIM 2.0 service and the BambooHR, HiBob and Merge HR emulators) alone',
    load: async () => (await import('./emulator.ts')).registerEmulator,
  },
  {
    name: 'send',
    description: 'sign an event file as a sender would (Standard Webhooks by default, or as BambooHR / HiBob) and deliver it to the trigger server, printing the response',
    load: async () => (await import('./send.ts')).registerSend,
  },
  {
    name: 'validate',
    description: 'check definition files; prints every problem as file:line:col: CODE message, exits 1 if there is any',
    load: async () => (await import('./validate.ts')).registerValidate,
  },
  { name: 'schema', description: 'print the JSON Schema of the definition language (what tenure.schema.json holds, for editors)', load: async () => (await import('./schema.ts')).registerSchema },
  {
    name: 'plan',
    description: 'dry run: which definitions an event matches, each step and OpenAI call with its arguments, when each wait ends; no side effects',
    load: async () => (await import('./plan.ts')).registerPlan,
  },
  {
    name: 'audit',
    description: 'print the audit log from the results store (TENURE_DATABASE_URL, else .tenure/tenure.db), oldest first',
    load: async () => (await import('./audit.ts')).registerAudit,
  },
  { name: 'keys', description: 'payload encryption keys (TENURE_PAYLOAD_KEYS)', load: async () => (await import('./keys.ts')).registerKeys },
  {
    name: 'runs',
    description: 'list definition runs from Temporal visibility, newest first, with each person\'s masked email and what each run waits for; `runs show <workflowId>` explains one run',
    load: async () => (await import('./runs.ts')).registerRuns,
  },
  { name: 'approve', description: 'approve the approval a run is waiting for (you must be one of its approvers)', load: async () => (await import('./approve.ts')).registerApprove },
  { name: 'reject', description: 'reject the approval a run is waiting for (you must be one of its approvers)', load: async () => (await import('./reject.ts')).registerReject },
  {
    name: 'retry',
    description: 'run the failed step of a run that needs attention again (earlier steps are not redone)',
    load: async () => (await import('./retry.ts')).registerRetry,
  },
  {
    name: 'skip',
    description: 'go on after the failed step of a run that needs attention, as if it had done nothing (needs --reason)',
    load: async () => (await import('./skip.ts')).registerSkip,
  },
  { name: 'abort', description: 'end a run that needs attention as failed (RUN_ABORTED), recorded in the audit log (needs --reason)', load: async () => (await import('./abort.ts')).registerAbort },
  {
    name: 'sync',
    description: 'compare HR with the OpenAI organization and act on every difference through the people\'s workflows (sync list, sync approve|reject for a held one; docs/sync.md)',
    load: async () => (await import('./sync.ts')).registerSync,
  },
  {
    name: 'drift',
    description: 'print how HR and the OpenAI organization differ (missed-hire, missed-departure, unmanaged, expired-invite), acting on nothing',
    load: async () => (await import('./sync.ts')).registerDrift,
  },
];

/** The line `tenure --help` shows for `name`, which its own `--help` shows too. */
export function describe(name: string): string {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`no tenure command '${name}'`);
  return entry.description;
}
