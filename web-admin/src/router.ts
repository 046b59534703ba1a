// The app's pages are paths; links change them without reloading.
import { signal } from "./signal";

export const path = signal(location.pathname);

export function navigate(to: string) {
  if (to === location.pathname + location.search) return;
  history.pushState(null, "", to);
  path.set(location.pathname);
}

addEventListener("popstate", () => path.set(location.pathname));
