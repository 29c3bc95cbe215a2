import { z } from "zod";
import { hostStates } from "@fediflow/contracts";

/** `GET /v1/hosts`: state filter and keyset paging by host name (`after`, as before the v1 extension). */
export const hostsQuery = z.object({
  state: z.enum(hostStates).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  after: z.string().max(255).optional(),
});
