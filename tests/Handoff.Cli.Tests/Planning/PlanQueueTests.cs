using static Handoff.Cli.Tests.Planning.PlanHarness;

namespace Handoff.Cli.Tests.Planning;

/// <summary><c>handoff plan</c> reads HandoffQueues, PriorityClasses and Namespaces and plans with them.</summary>
public sealed class PlanQueueTests
{
    private const string Cluster = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: n1}
        spec: {capacity: {cpu: "4"}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: research, labels: {team: a}}
        ---
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffQueue
        metadata: {name: team-a}
        spec:
          quota: {cpu: "2"}
          namespaceSelector: {matchLabels: {team: a}}
        """;

    private static string Fn(string name, string ns, string extra = "") => $$$"""

        ---
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata: {name: {{{name}}}, namespace: {{{ns}}}}
        spec:
          queue: team-a
          cost: {cpu: "2"}
        {{{extra}}}
          template: {spec: {containers: [{name: main, image: busybox:1.36}]}}
        """;

    private static System.Text.Json.JsonElement Plan(string yaml)
    {
        using var dir = new TempManifests();
        var (exit, output, error) = Run("-f", dir.Write("q.yaml", yaml), "-o", "json");
        Assert.True(exit == 0, error);
        return ParseJson(output);
    }

    [Fact]
    public void A_namespace_the_queue_selects_by_its_labels_is_admitted_and_quota_holds_over_time()
    {
        var plan = Plan(Cluster + Fn("first", "research") + Fn("second", "research"));

        Assert.Equal(0.0, Function(plan, "first").GetProperty("start").GetDouble());
        Assert.Equal(1.0, Function(plan, "second").GetProperty("start").GetDouble());
        Assert.Equal(2, plan.GetProperty("queues").EnumerateArray().Count());
    }

    [Fact]
    public void A_namespace_the_queue_does_not_select_waits_and_an_unknown_class_is_named()
    {
        var plan = Plan(Cluster + Fn("outsider", "default") + Fn("classless", "research", "  priorityClassName: missing"));

        Assert.Equal("NamespaceNotAllowed", Function(plan, "outsider").GetProperty("reason").GetString());
        Assert.Equal("UnknownPriorityClass", Function(plan, "classless").GetProperty("reason").GetString());
        Assert.Contains("missing", Function(plan, "classless").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
