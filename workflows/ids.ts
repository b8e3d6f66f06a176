/** Readable business keys, so a redelivered event maps to the same workflows. */
export function employeeWorkflowId(source: string, employeeId: string): string {
  return `employee/${source}/${employeeId}`;
}

export function runWorkflowId(definition: string, employeeId: string, eventId: string): string {
  return `${definition}/${employeeId}/${eventId}`;
}
