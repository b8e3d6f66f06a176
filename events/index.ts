/**
 * The normalized HR lifecycle event (`HrEvent`) and its schema. Sources parse into it;
 * definitions and workflows read it.
 *
 *   const result = hrEventSchema.safeParse(JSON.parse(body));
 *   if (result.success) start(result.data);
 */
export { hrEventSchema, employeeSchema, EVENT_TYPES, EMPLOYMENT_TYPES, type HrEvent, type Employee, type EventType } from './hr-event.ts';
