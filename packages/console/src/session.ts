import { FediFlowClient } from "@fediflow/client";

// Session storage: the token lives as long as the tab, and never in a URL or a cookie.
const tokenKey = "fediflow.console.token";

export const savedToken = (): string | null => sessionStorage.getItem(tokenKey);
export const saveToken = (token: string): void => sessionStorage.setItem(tokenKey, token);
export const forgetToken = (): void => sessionStorage.removeItem(tokenKey);

/** The API of the ingress that served the console; one retry of a 429 or 503, then the error shows. */
export const clientFor = (token: string): FediFlowClient => new FediFlowClient({ baseUrl: location.origin, token, maxRetries: 1 });
