import type { DeliveredEvent } from '../../events/index.ts';

/** Why a delivery was refused; the server maps each to its HTTP status. */
export type RejectionCode = 'INVALID_SIGNATURE' | 'STALE_DELIVERY' | 'MALFORMED_JSON' | 'FORBIDDEN_KEY' | 'INVALID_EVENT';

/** A field-level problem: where in the body, and what is wrong with it. */
export interface FieldProblem {
  /** Dotted path into the delivered body, e.g. `employees.0.fields.Work Email`. */
  path: string;
  message: string;
}

export class DeliveryRejected extends Error {
  override readonly name = 'DeliveryRejected';
  readonly code: RejectionCode;
  /** Field-level problems, for INVALID_EVENT. */
  readonly problems: FieldProblem[];
  /** For the log only, never the response: why a signature was refused. */
  readonly detail: string | undefined;

  constructor(code: RejectionCode, message: string, problems: FieldProblem[] = [], detail?: string) {
    super(message);
    this.code = code;
    this.problems = problems;
    this.detail = detail;
  }
}

/** Why a signature check failed: kept for logs and metrics, never told to the sender. */
export type SignatureFailure = 'missing' | 'mismatch' | 'stale' | 'future' | 'malformed';

export function invalidSignature(reason: SignatureFailure): DeliveryRejected {
  // Whatever went wrong, the sender learns only this.
  return new DeliveryRejected('INVALID_SIGNATURE', 'invalid signature', [], reason);
}

/**
 * A delivery whose own timestamp is too old (or too far ahead): refused as a possible
 * replay, and the sender is told why, since the time says nothing about the secret.
 */
export function staleDelivery(message: string, reason: 'stale' | 'future'): DeliveryRejected {
  return new DeliveryRejected('STALE_DELIVERY', message, [], reason);
}

/** Default replay window: a delivery whose own timestamp is older than this is refused. */
export const DEFAULT_REPLAY_WINDOW_MS = 24 * 60 * 60_000;

export interface Delivery {
  /** The exact bytes received: signatures are computed over these, never over re-serialized JSON. */
  rawBody: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A vendor event that Tenure does not act on (answered 2xx so the vendor does not retry). */
export interface IgnoredEvent {
  /** The vendor's event type. */
  type: string;
  reason: string;
}

export interface Accepted {
  /** Normalized events, complete or still to be enriched; one delivery may carry several. */
  events: DeliveredEvent[];
  ignored: IgnoredEvent[];
}

/**
 * A configured HR source: verifies a delivery's signature and turns its payload into
 * events. Throws {@link DeliveryRejected}.
 */
export interface Source {
  /** The URL segment: `/webhooks/<name>`. */
  readonly name: string;
  /** The adapter: `generic`, `bamboohr`, `hibob`. */
  readonly kind: string;
  /**
   * Whether its payloads carry the person's record (`rich`), ids only (`thin`), or either,
   * by format (`mixed`). Thin events carry an enrichment request and are completed from
   * the vendor's API in an activity before a run acts on them.
   */
  readonly payloads: 'rich' | 'thin' | 'mixed';
  accept(delivery: Delivery): Accepted;
  /** A connection check the vendor sends when the webhook is created (HiBob): answered 200, starts nothing. */
  isPing?(delivery: Delivery): boolean;
}
