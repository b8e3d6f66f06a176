import type { HrEvent } from '../../events/index.ts';

/** Why a delivery was refused; the server maps each to its HTTP status. */
export type RejectionCode = 'INVALID_SIGNATURE' | 'MALFORMED_JSON' | 'INVALID_EVENT';

export class DeliveryRejected extends Error {
  override readonly name = 'DeliveryRejected';
  readonly code: RejectionCode;
  /** Field-level problems, for INVALID_EVENT. */
  readonly problems: { path: string; message: string }[];

  constructor(code: RejectionCode, message: string, problems: { path: string; message: string }[] = []) {
    super(message);
    this.code = code;
    this.problems = problems;
  }
}

export interface Delivery {
  /** The exact bytes received: signatures are computed over these, never over re-serialized JSON. */
  rawBody: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * A configured HR source: verifies a delivery's signature and turns its payload into
 * HrEvents (one delivery may carry several). Throws {@link DeliveryRejected}.
 */
export interface Source {
  readonly name: string;
  accept(delivery: Delivery): HrEvent[];
}
