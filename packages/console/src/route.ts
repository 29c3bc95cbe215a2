import { useEffect, useState } from "preact/hooks";

/** The console's pages; the location's hash names one (`#/hosts/example.org`). */
export type Route =
  { page: "activities" } | { page: "activity"; id: string } | { page: "hosts" } | { page: "host"; host: string } | { page: "webhooks" };

export function parseRoute(hash: string): Route {
  const [first, second] = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (first === "activities" && second) return { page: "activity", id: second };
  if (first === "hosts" && second) return { page: "host", host: second };
  if (first === "hosts") return { page: "hosts" };
  if (first === "webhooks") return { page: "webhooks" };
  return { page: "activities" };
}

export function href(route: Route): string {
  switch (route.page) {
    case "activity":
      return `#/activities/${encodeURIComponent(route.id)}`;
    case "host":
      return `#/hosts/${encodeURIComponent(route.host)}`;
    default:
      return `#/${route.page}`;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  return route;
}
