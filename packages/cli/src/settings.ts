import { CliFailure } from "./failure";

export interface CliSettings {
  /** The ingress URL, e.g. http://127.0.0.1:8080. */
  url: string;
  token: string;
}

/** FEDIFLOW_URL and FEDIFLOW_TOKEN, read only by the commands that call the API. */
export function cliSettings(env: NodeJS.ProcessEnv): CliSettings {
  const url = env.FEDIFLOW_URL?.trim();
  const token = env.FEDIFLOW_TOKEN?.trim();
  if (!url) throw new CliFailure("FEDIFLOW_URL is not set: the ingress URL, e.g. http://127.0.0.1:8080");
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new CliFailure(`FEDIFLOW_URL is not an http(s) URL: ${url}`);
  if (!token) throw new CliFailure("FEDIFLOW_TOKEN is not set: a bearer token from FEDIFLOW_API_TOKENS");
  return { url, token };
}
