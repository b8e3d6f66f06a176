/** Readable business keys, so a redelivered event maps to the same workflows. */
export function employeeWorkflowId(source: string, employeeId: string): string {
  return `employee/${source}/${employeeId}`;
}

export function runWorkflowId(definition: string, employeeId: string, eventId: string): string {
  return `${definition}/${employeeId}/${eventId}`;
}

/**
 * The task queue of OpenAI actions for workers on `taskQueue`: every Tenure worker polls
 * it with the OpenAI rate limit (`maxTaskQueueActivitiesPerSecond`, enforced by the
 * server across all workers), so the limit counts OpenAI actions and nothing else.
 */
export function openaiTaskQueueFor(taskQueue: string): string {
  return `${taskQueue}-openai`;
}
