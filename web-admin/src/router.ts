// The app's pages are paths; links change them without reloading.
import { signal } from "./signal";

export const path = signal(location.pathname);
// The query of the address: pages that keep their view in it (the dashboard's drill-down) follow Back with it.
export const search = signal(location.search);

export function navigate(to: string) {
  if (to === location.pathname + location.search) return;
  history.pushState(null, "", to);
  path.set(location.pathname);
  search.set(location.search);
}

// The same page in another view, without a new history entry (a filter changed).
export function replaceQuery(query: URLSearchParams) {
  history.replaceState(null, "", `${location.pathname}${query.size ? `?${query}` : ""}`);
  search.set(location.search);
}

addEventListener("popstate", () => {
  path.set(location.pathname);
  search.set(location.search);
});
