import type { Response } from "express";
import { actingFor, type Metadata } from "@fediflow/grpc";

/**
 * Who a token speaks for. An application acts only on the actors it registered and what hangs
 * off them; an operator manages hosts, redrives and quarantine but never acts as an actor; an
 * admin token (a bare entry, as before scopes existed) may do both.
 */
export type Principal = { kind: "admin" } | { kind: "operator" } | { kind: "application"; application: string };

export interface ApiToken {
  token: string;
  principal: Principal;
}

const applicationName = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * One FEDIFLOW_API_TOKENS entry: `app:NAME=TOKEN` (an application), `operator=TOKEN`, or a bare
 * `TOKEN` (admin). Throws with the reason an entry is unusable; the token itself is never quoted.
 */
export function parseApiToken(entry: string): ApiToken {
  const scoped = /^(operator|app:([^=]*))=(.*)$/s.exec(entry);
  if (!scoped) return { token: entry, principal: { kind: "admin" } };
  const [, scope, name, token] = scoped;
  if (!token) throw new Error(`an entry scoped "${scope}" has no token after "="`);
  if (scope === "operator") return { token, principal: { kind: "operator" } };
  if (!name || !applicationName.test(name)) {
    throw new Error(`application name "${name ?? ""}" must be 1-63 of a-z, 0-9, ".", "_", "-", starting with a letter or digit`);
  }
  return { token, principal: { kind: "application", application: name } };
}

/** The application the principal is confined to, or null when it is unrestricted. */
export const confinedTo = (principal: Principal): string | null => (principal.kind === "application" ? principal.application : null);

export const mayOperate = (principal: Principal): boolean => principal.kind !== "application";

export const mayActAsActor = (principal: Principal): boolean => principal.kind !== "operator";

/** Set by the bearer check on every /v1 request it lets through. */
export function principalOf(res: Response): Principal {
  const principal = (res.locals as { principal?: Principal }).principal;
  if (!principal) throw new Error("principalOf called before the bearer check");
  return principal;
}

/** gRPC metadata for a call on this request's behalf: outbox confines it to the caller's application. */
export const callerOf = (res: Response): Metadata => actingFor(confinedTo(principalOf(res)));
