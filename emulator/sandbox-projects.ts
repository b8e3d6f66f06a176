/**
 * The projects the shipped definitions name (`definitions/*.yaml`: the department → project
 * tables of onboard-openai and move-department), with the ids they use. `tenure dev` seeds
 * them into the sandbox emulator, so every shipped definition runs to its end there; a test
 * checks that every `proj_…` id in the shipped definitions is listed here.
 */
export const SANDBOX_PROJECTS: readonly { id: string; name: string }[] = [
  { id: 'proj_engineering', name: 'Engineering' },
  { id: 'proj_research', name: 'Research' },
  { id: 'proj_data_science', name: 'Data Science' },
  { id: 'proj_sales', name: 'Sales' },
];
