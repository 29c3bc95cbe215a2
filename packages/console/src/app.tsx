import { useMemo, useState } from "preact/hooks";
import { ActivitiesPage } from "./pages/activities";
import { ActivityPage } from "./pages/activity";
import { HostPage } from "./pages/host";
import { HostsPage } from "./pages/hosts";
import { SignIn } from "./pages/sign-in";
import { WebhooksPage } from "./pages/webhooks";
import { href, useRoute, type Route } from "./route";
import { clientFor, forgetToken, saveToken, savedToken } from "./session";

const sections: Array<{ label: string; route: Route; pages: Array<Route["page"]> }> = [
  { label: "Activities", route: { page: "activities" }, pages: ["activities", "activity"] },
  { label: "Hosts", route: { page: "hosts" }, pages: ["hosts", "host"] },
  { label: "Webhooks", route: { page: "webhooks" }, pages: ["webhooks"] },
];

export function App() {
  const [token, setToken] = useState(savedToken);
  const route = useRoute();
  const client = useMemo(() => (token ? clientFor(token) : null), [token]);
  if (!client) {
    return (
      <SignIn
        onSignedIn={(accepted) => {
          saveToken(accepted);
          setToken(accepted);
        }}
      />
    );
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">FediFlow</span>
        <nav aria-label="Console">
          <ul>
            {sections.map((section) => (
              <li key={section.label}>
                <a href={href(section.route)} aria-current={section.pages.includes(route.page) ? "page" : undefined}>
                  {section.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="sign-out"
          onClick={() => {
            forgetToken();
            setToken(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === "activities" ? <ActivitiesPage client={client} /> : null}
        {route.page === "activity" ? <ActivityPage client={client} id={route.id} /> : null}
        {route.page === "hosts" ? <HostsPage client={client} /> : null}
        {route.page === "host" ? <HostPage client={client} host={route.host} /> : null}
        {route.page === "webhooks" ? <WebhooksPage client={client} /> : null}
      </main>
    </>
  );
}
