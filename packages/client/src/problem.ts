/** An RFC 9457 problem the API answered, typed: `slug` is the last part of `type` (docs/api.md lists them). */
export class FediFlowProblem extends Error {
  readonly slug: string;

  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    /** For validation problems: each invalid field (`/body/pointer` or `?query`). */
    readonly errors: Array<{ pointer: string; detail: string }> = [],
  ) {
    super(`${status} ${title}: ${detail}`);
    this.name = "FediFlowProblem";
    this.slug = type.replace(/^urn:fediflow:problem:/, "");
  }

  /** The problem in a response, or a generic one when the body is not problem+json. */
  static async from(response: Response): Promise<FediFlowProblem> {
    const text = await response.text();
    try {
      const body = JSON.parse(text) as Partial<Record<"type" | "title" | "detail", string>> & { errors?: Array<{ pointer: string; detail: string }> };
      if (typeof body.type === "string")
        return new FediFlowProblem(response.status, body.type, body.title ?? "", body.detail ?? "", body.errors ?? []);
    } catch {
      // not JSON: described below
    }
    return new FediFlowProblem(response.status, "about:blank", response.statusText, text.slice(0, 500));
  }
}
