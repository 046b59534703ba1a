// The signed-in user's server-sent events, one stream per page however many parts listen (the bell, the
// console): the browser allows few connections per server, and each stream holds one open.
import { signal } from "./signal";

export const connected = signal(false);

let source: EventSource | null = null;
const handlers = new Map<string, Set<(data: unknown) => void>>();

function open() {
  source = new EventSource("/api/v1/events");
  source.addEventListener("open", () => connected.set(true));
  source.addEventListener("error", () => connected.set(false));
  for (const name of handlers.keys()) listen(name);
}

function listen(name: string) {
  source?.addEventListener(name, (e) => {
    const data = JSON.parse((e as MessageEvent).data);
    handlers.get(name)?.forEach((handler) => handler(data));
  });
}

// Calls `handler` with each `name` event's data until the returned function is called.
export function onEvent<T>(name: string, handler: (data: T) => void): () => void {
  if (!handlers.has(name)) {
    handlers.set(name, new Set());
    listen(name);
  }
  const set = handlers.get(name)!;
  set.add(handler as (data: unknown) => void);
  if (!source) open();
  return () => set.delete(handler as (data: unknown) => void);
}

// At log-out: the stream belonged to the user who left.
export function closeEvents() {
  source?.close();
  source = null;
  connected.set(false);
}
