// The workflow in force (GET /api/v1/workflow), read once per page load: the graph draws it, and the
// petition page names its states and actions with its labels.
import { call, Schema } from "./client";

export type Labelled = Schema<"Label">;
export type Workflow = Schema<"WorkflowDefinition">;

let loading: Promise<Workflow> | null = null;

export function loadWorkflow(): Promise<Workflow> {
  loading ??= call("get", "/api/v1/workflow").catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}
