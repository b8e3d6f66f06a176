/** What every action activity returns: a typed outcome and the OpenAI ids involved. */
export interface ActionResult {
  outcome: 'created' | 'updated' | 'removed' | 'noop';
  /** Whom the action was about (an email, a user id). */
  target: string | null;
  openaiIds: Record<string, string>;
  /** Readable by later steps as `steps.<id>.output`. */
  output: Record<string, unknown>;
}
