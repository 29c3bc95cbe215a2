import { FediFlowProblem } from "@fediflow/client";
import { useState } from "preact/hooks";
import { clientFor } from "../session";
import { ProblemNotice } from "../widgets";

/** Asks for an API token and keeps it only once the API accepts it. */
export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [checking, setChecking] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setChecking(true);
    setError(null);
    try {
      await clientFor(token.trim()).activities({ limit: 1 });
      onSignedIn(token.trim());
    } catch (problem) {
      // 403: a valid token whose scope does not list activities (an operator token); it still signs in.
      if (problem instanceof FediFlowProblem && problem.status === 403) onSignedIn(token.trim());
      else setError(problem);
    }
    setChecking(false);
  };
  return (
    <main class="sign-in">
      <h1>FediFlow console</h1>
      <form onSubmit={(event) => void submit(event)}>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" class="help">
          One of FEDIFLOW_API_TOKENS. It is kept in this tab's session storage until you sign out or close the tab.
        </p>
        <button type="submit" disabled={checking || token.trim() === ""}>
          Sign in
        </button>
      </form>
      <ProblemNotice error={error} />
    </main>
  );
}
