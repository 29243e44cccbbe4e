using static Handoff.Cli.Tests.Planning.PlanHarness;

namespace Handoff.Cli.Tests.Planning;

/// <summary>
/// Nodes and pods in a plan's input count as the operator counts them: a Node gives a <c>capacityFrom: Node</c>
/// HandoffNode its allocatable, taints, cordon and readiness; other workloads' pods hold what they request; a pod that
/// names Handoff is planned with the functions.
/// </summary>
public sealed class PlanKubernetesObjectsTests
{
    private const string FromNode = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: n1}
        spec: {capacityFrom: Node, capacity: {licenses: "1"}}
        """;

    private static string NodeDoc(string spec = "{}", string status = """{allocatable: {cpu: "8", memory: 16Gi, pods: "110"}}""") => $"""
        apiVersion: v1
        kind: Node
        metadata: {"{"}name: n1{"}"}
        spec: {spec}
        status: {status}
        """;

    private static string FunctionDoc(string name, string cost, string extra = "") => $"""
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata: {"{"}name: {name}, namespace: default{"}"}
        spec:
          cost: {cost}
          template:
            spec:
              {(extra.Length == 0 ? "" : extra + "\n      ")}containers: [{"{"}name: main, image: busybox:1.36{"}"}]
        """;

    private static (int Exit, string Output, string Error) Plan(params string[] documents)
    {
        using var dir = new TempManifests();
        var path = dir.Write("cluster.yaml", string.Join("\n---\n", documents));
        var result = Run("-f", path, "-o", "json");
        return (result.Exit, result.Output, result.Error.Replace(path, "cluster.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void A_Node_backed_HandoffNode_has_the_Nodes_allocatable_and_its_own_entries()
    {
        var (exit, output, error) = Plan(FromNode, NodeDoc(), FunctionDoc("f", "{cpu: \"8\", licenses: \"1\"}"));
        Assert.True(exit == 0, error);
        var plan = ParseJson(output);
        var capacity = Node(plan, "n1").GetProperty("capacity");
        Assert.Equal(("8", "16Gi", "110", "1"), (capacity.GetProperty("cpu").GetString(), capacity.GetProperty("memory").GetString(), capacity.GetProperty("pods").GetString(), capacity.GetProperty("licenses").GetString()));
        Assert.Equal("Succeeded", Function(plan, "f").GetProperty("phase").GetString());
    }

    [Fact]
    public void Other_workloads_pods_hold_what_they_request_for_the_whole_plan()
    {
        const string Web = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: default}
            spec:
              nodeName: n1
              containers: [{name: web, image: nginx, resources: {requests: {cpu: "6"}}}]
            """;
        var (exit, output, error) = Plan(FromNode, NodeDoc(), Web, FunctionDoc("f", "{cpu: \"4\"}"));
        Assert.True(exit == 0, error);
        var plan = ParseJson(output);
        Assert.Equal(("2", "109"), (Node(plan, "n1").GetProperty("capacity").GetProperty("cpu").GetString(), Node(plan, "n1").GetProperty("capacity").GetProperty("pods").GetString()));
        var f = Function(plan, "f");
        Assert.Equal(("Pending", "Unschedulable"), (f.GetProperty("phase").GetString(), f.GetProperty("reason").GetString()));
        Assert.StartsWith("0/1 nodes are available: 1 Insufficient cpu.", f.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_Node_taint_keeps_off_functions_that_do_not_tolerate_it()
    {
        var taint = """{taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}""";
        var tolerates = "tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]";
        var (exit, output, error) = Plan(FromNode, NodeDoc(taint), FunctionDoc("plain", "{cpu: \"1\"}"), FunctionDoc("tolerant", "{cpu: \"1\"}", tolerates));
        Assert.True(exit == 0, error);
        var plan = ParseJson(output);
        Assert.Equal("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}.", Function(plan, "plain").GetProperty("message").GetString());
        Assert.Equal(("Succeeded", "n1"), (Function(plan, "tolerant").GetProperty("phase").GetString(), Function(plan, "tolerant").GetProperty("node").GetString()));
    }

    [Fact]
    public void A_cordoned_or_not_Ready_Node_takes_nothing()
    {
        var (_, cordoned, _) = Plan(FromNode, NodeDoc("{unschedulable: true}"), FunctionDoc("f", "{cpu: \"1\"}"));
        Assert.Equal("0/1 nodes are available: 1 node(s) were unschedulable.", Function(ParseJson(cordoned), "f").GetProperty("message").GetString());

        var notReady = """{allocatable: {cpu: "8"}, conditions: [{type: Ready, status: "False"}]}""";
        var (_, output, _) = Plan(FromNode, NodeDoc(status: notReady), FunctionDoc("f", "{cpu: \"1\"}"));
        Assert.Equal("Pending", Function(ParseJson(output), "f").GetProperty("phase").GetString());
    }

    [Fact]
    public void A_pod_that_names_Handoff_is_planned_with_the_functions()
    {
        const string Pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: summarize, namespace: default, annotations: {handoff.dev/duration: 3s}}
            spec:
              schedulerName: handoff
              containers: [{name: main, image: busybox, resources: {requests: {cpu: "6"}}}]
            """;
        var (exit, output, error) = Plan(FromNode, NodeDoc(), FunctionDoc("f", "{cpu: \"4\"}"), Pod);
        Assert.True(exit == 0, error);
        var plan = ParseJson(output);
        var pod = Function(plan, "pod/summarize");
        // The function came first (file order) and holds 4 of 8 for its 1 s: the pod's 6 wait for it.
        Assert.Equal(("Succeeded", "n1", 1.0, 4.0), (pod.GetProperty("phase").GetString(), pod.GetProperty("node").GetString(), pod.GetProperty("start").GetDouble(), pod.GetProperty("end").GetDouble()));
        Assert.Equal(0.0, Function(plan, "f").GetProperty("start").GetDouble());
    }

    [Fact]
    public void A_Node_backed_HandoffNode_without_its_Node_is_a_problem_named_in_the_output()
    {
        var (exit, _, error) = Plan(FromNode, FunctionDoc("f", "{licenses: \"1\"}"));
        Assert.Equal(1, exit);
        Assert.Contains("cluster.yaml:1: HandoffNode n1: spec.capacityFrom: Node, but Node \"n1\" is not in the input", error, StringComparison.Ordinal);
    }
}
