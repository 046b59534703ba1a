// The workflow in force (GET /api/v1/workflow), read once per page load: the graph draws it, and the
// petition page names its states and actions with its labels.
import { api } from "./api";

export type Labelled = { zh: string; en: string };
export interface Workflow {
  workflow: string;
  version: number;
  states: { name: string; label: Labelled; initial: boolean; terminal: boolean }[];
  transitions: { name: string; label: Labelled; from: string[]; to: string; roles: string[]; requires: string[]; notify: string[] }[];
  clocks: { name: string; label: Labelled }[];
}

let loading: Promise<Workflow> | null = null;

export function loadWorkflow(): Promise<Workflow> {
  loading ??= api<Workflow>("GET", "/api/v1/workflow").catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}
