import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const pool = (spec: string, version = "inference.networking.k8s.io/v1") => `apiVersion: ${version}
kind: InferencePool
metadata: {name: vllm, namespace: ai}
spec:
${spec}`;
const V1 =
  "  selector: {matchLabels: {app: vllm-llama3}}\n  targetPorts: [{number: 8000}]\n  endpointPickerRef: {name: vllm-epp, port: {number: 9002}}\n";
const objective = (poolName: string, priority = 1) => `apiVersion: inference.networking.x-k8s.io/v1alpha2
kind: InferenceObjective
metadata: {name: food-review, namespace: ai}
spec:
  priority: ${priority}
  poolRef: {group: inference.networking.k8s.io, name: ${poolName}}
`;
const found = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head).findings.map((finding) => [finding.class, finding.risk, finding.summary]);

describe("Gateway API Inference Extension", () => {
  it("a pool's selector, ports and endpoint picker decide who serves its routes (gateway-api-inference-extension 3aa604b5)", () => {
    const head = V1.replace("vllm-llama3", "vllm-qwen3").replace("8000", "8001").replace("vllm-epp", "qwen-epp");
    expect(found({ "pool.yaml": pool(V1) }, { "pool.yaml": pool(head) })).toEqual([
      ["resource.changed", "high", expect.stringContaining("selector app=vllm-llama3 → app=vllm-qwen3: other pods serve every route")],
      ["resource.changed", "medium-high", expect.stringContaining("target ports [8000] → [8001]")],
      ["resource.changed", "medium-high", expect.stringContaining("endpoint picker vllm-epp → qwen-epp")],
    ]);
  });

  it("the endpoint picker's failure mode, FailClose by default, turned FailOpen is health.changed (bdf78623)", () => {
    const open = V1.replace("port: {number: 9002}}", "port: {number: 9002}, failureMode: FailOpen}");
    expect(found({ "pool.yaml": pool(V1) }, { "pool.yaml": pool(open) })).toEqual([
      ["health.changed", "high", expect.stringContaining("failureMode FailClose → FailOpen: when the endpoint picker cannot be reached")],
    ]);
  });

  it("v1alpha2 → v1 with the same pods, ports and picker is one resource promoted, not a delete and an add", () => {
    const alpha = pool(
      "  selector: {app: vllm-llama3}\n  targetPortNumber: 8000\n  extensionRef: {name: vllm-epp}\n",
      "inference.networking.x-k8s.io/v1alpha2",
    );
    expect(found({ "pool.yaml": alpha }, { "pool.yaml": pool(V1) }).filter(([, risk]) => risk !== "low")).toEqual([]);
  });

  it("an objective moved to another pool is high; its priority medium (42ec19b3)", () => {
    expect(found({ "objective.yaml": objective("vllm") }, { "objective.yaml": objective("qwen", 0) })).toEqual([
      ["resource.changed", "high", expect.stringContaining("pool vllm → qwen: its requests are served by another pool's pods")],
      ["resource.changed", "medium", expect.stringContaining("priority 1 → 0")],
    ]);
  });

  it("criticality renamed priority with the same value sheds the same requests (8a7b0374); another value is medium", () => {
    const critical = (value: string) => objective("vllm").replace("priority: 1", `criticality: ${value}`);
    expect(found({ "objective.yaml": critical("1") }, { "objective.yaml": objective("vllm") })).toEqual([
      ["resource.changed", "low", expect.stringContaining("criticality → priority, the same value 1")],
      ["resource.changed", "low", expect.stringContaining("criticality no longer written: the same setting is priority now")],
    ]);
    expect(found({ "objective.yaml": critical("Standard") }, { "objective.yaml": objective("vllm", 2) })).toEqual([
      ["resource.changed", "medium", expect.stringContaining("criticality → priority, priority Standard → 2")],
      ["resource.changed", "low", expect.stringContaining("criticality no longer written")],
    ]);
    expect(found({ "objective.yaml": critical("Critical") }, { "objective.yaml": critical("Standard") })).toEqual([
      ["resource.changed", "medium", expect.stringContaining("criticality Critical → Standard")],
    ]);
  });

  it("a pool deleted while a route still sends to it is reference.broken; one no route names is only listed", () => {
    const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: llm, namespace: ai}
spec:
  parentRefs: [{name: inference-gateway}]
  rules: [{backendRefs: [{group: inference.networking.k8s.io, kind: InferencePool, name: vllm}]}]
`;
    expect(found({ "pool.yaml": pool(V1), "route.yaml": route }, { "route.yaml": route }).filter(([, risk]) => risk !== "low")).toEqual([
      ["reference.broken", "high", expect.stringContaining("removed while HTTPRoute ai/llm still sends traffic to it")],
    ]);
    expect(found({ "pool.yaml": pool(V1) }, {}).filter(([, risk]) => risk !== "low")).toEqual([]);
    // One route written for each implementation (gateway-api-inference-extension 2e069d4731): named once, with its files.
    const copies = { "gke/route.yaml": route, "istio/route.yaml": route };
    expect(found({ "pool.yaml": pool(V1), ...copies }, copies).filter(([, risk]) => risk !== "low")).toEqual([
      [
        "reference.broken",
        "high",
        "InferencePool ai/vllm: removed while HTTPRoute ai/llm (in 2 files: gke/route.yaml, istio/route.yaml) still sends traffic to it: those requests have no backend",
      ],
    ]);
  });

  it("InferenceModel target model weights are backend.weight-changed", () => {
    const model = (a: number, b: number) => `apiVersion: inference.networking.x-k8s.io/v1alpha2
kind: InferenceModel
metadata: {name: chat, namespace: ai}
spec:
  modelName: chat
  poolRef: {name: vllm}
  targetModels: [{name: lora-a, weight: ${a}}, {name: lora-b, weight: ${b}}]
`;
    expect(found({ "model.yaml": model(100, 0) }, { "model.yaml": model(0, 100) })).toEqual([
      ["backend.weight-changed", "medium-high", expect.stringContaining("target models lora-a 100% → 0%, lora-b 0% → 100%")],
    ]);
  });
});
