// The workflow definition as a graph (states and the transitions between them), with the same as a table
// for screen readers and for reading the roles and notifications.
import * as echarts from "echarts/core";
import { GraphChart } from "echarts/charts";
import { AriaComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef, useState } from "preact/hooks";

import { label, language, t } from "../i18n";
import { useSignal } from "../signal";
import { loadWorkflow, Workflow } from "../workflow";

echarts.use([GraphChart, AriaComponent, TooltipComponent, CanvasRenderer]);

// The workflow in force, or the version given (one an admin is about to activate).
export function WorkflowGraph({ version }: { version?: Workflow }) {
  useSignal(language);
  const [workflow, setWorkflow] = useState<Workflow | null>(version ?? null);
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (version) setWorkflow(version);
    else loadWorkflow().then(setWorkflow).catch(() => undefined);
  }, [version]);
  useEffect(() => {
    if (!workflow || !element.current) return;
    const chart = echarts.init(element.current);
    const stateLabel = (name: string) => label(workflow.states.find((s) => s.name === name)?.label);
    chart.setOption({
      aria: { enabled: true },
      tooltip: {},
      series: [{
        type: "graph",
        layout: "circular",
        circular: { rotateLabel: false },
        roam: true,
        symbolSize: 18,
        edgeSymbol: ["none", "arrow"],
        label: { show: true, position: "right" },
        edgeLabel: { show: false },
        lineStyle: { curveness: 0.2, opacity: 0.7 },
        data: workflow.states.map((s) => ({
          name: stateLabel(s.name),
          itemStyle: { color: s.initial ? "#175cd3" : s.terminal ? "#475467" : "#067647" },
        })),
        links: workflow.transitions.flatMap((tr) =>
          tr.from.map((from) => ({ source: stateLabel(from), target: stateLabel(tr.to), name: label(tr.label),
                                   tooltip: { formatter: label(tr.label) } }))),
      }],
    });
    // The chart draws at the size it had; it follows its box when the window is resized or turned.
    const resized = new ResizeObserver(() => chart.resize());
    resized.observe(element.current);
    return () => {
      resized.disconnect();
      chart.dispose();
    };
  }, [workflow, language.get()]);
  if (!workflow) return <p role="status">{t("loading")}</p>;
  const stateLabel = (name: string) => label(workflow.states.find((s) => s.name === name)?.label);
  return (
    <>
      <div ref={element} class="chart tall" role="img" aria-label={`${t("workflow")} ${workflow.workflow} v${workflow.version}`} />
      <table>
        <caption>{t("workflow")} {workflow.workflow} v{workflow.version}</caption>
        <thead><tr><th scope="col">{t("transition")}</th><th scope="col">{t("from_state")}</th><th scope="col">{t("to_state")}</th><th scope="col">{t("roles")}</th></tr></thead>
        <tbody>
          {workflow.transitions.map((tr) => (
            <tr key={tr.name}>
              <th scope="row">{label(tr.label)}</th>
              <td>{tr.from.map(stateLabel).join("、")}</td>
              <td>{stateLabel(tr.to)}</td>
              <td>{tr.roles.map((r) => t(`role_${r}` as never) || r).join("、")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
