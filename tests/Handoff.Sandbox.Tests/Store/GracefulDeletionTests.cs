using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>The grace period a delete gives (rest.BeforeDelete and the pod strategy's CheckGracefulDelete).</summary>
public sealed class GracefulDeletionTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ResourceType Pods = BuiltinTypes.All.Single(t => t.Plural == "pods" && t.Group.Length == 0);
    private static readonly ResourceType ConfigMaps = BuiltinTypes.All.Single(t => t.Plural == "configmaps");

    private static JsonObject Pod(string? node = "n1", string phase = "Running", long grace = 30) =>
        new()
        {
            ["metadata"] = new JsonObject { ["name"] = "p" },
            ["spec"] = new JsonObject { ["nodeName"] = node, ["terminationGracePeriodSeconds"] = grace },
            ["status"] = new JsonObject { ["phase"] = phase },
        };

    private static (DeletionDecision Decision, long? Grace, string? At) Decide(ResourceType t, JsonObject obj, long? requested)
    {
        var decision = GracefulDeletion.Decide(t, obj, requested, Now);
        return (decision, JsonNodes.Int64(obj["metadata"]!["deletionGracePeriodSeconds"]), JsonNodes.GetString(obj["metadata"], "deletionTimestamp"));
    }

    [Fact]
    public void A_bound_running_pod_gets_its_grace_period_and_a_deletionTimestamp_at_its_end() =>
        Assert.Equal((DeletionDecision.Graceful, 30L, "2030-01-01T00:00:30Z"), Decide(Pods, Pod(), null));

    [Fact]
    public void The_requests_grace_period_wins_and_a_negative_one_means_1() =>
        Assert.Equal([(DeletionDecision.Graceful, 5L, "2030-01-01T00:00:05Z"), (DeletionDecision.Graceful, 1L, "2030-01-01T00:00:01Z")],
            [Decide(Pods, Pod(), 5), Decide(Pods, Pod(), -3)]);

    [Theory]
    [InlineData("", "Running")]
    [InlineData("n1", "Succeeded")]
    [InlineData("n1", "Failed")]
    public void Unbound_and_terminal_pods_get_no_grace_period(string node, string phase) =>
        Assert.Equal((DeletionDecision.Graceful, 0L, "2030-01-01T00:00:00Z"), Decide(Pods, Pod(node, phase), null));

    [Fact]
    public void A_later_request_can_only_shorten_the_grace_period()
    {
        var pod = Pod();
        GracefulDeletion.Decide(Pods, pod, null, Now);
        Assert.Equal((DeletionDecision.Pending, 30L, "2030-01-01T00:00:30Z"), Decide(Pods, pod, 60));
        Assert.Equal((DeletionDecision.Pending, 30L, "2030-01-01T00:00:30Z"), Decide(Pods, pod, null));
        Assert.Equal((DeletionDecision.Graceful, 0L, "2030-01-01T00:00:00Z"), Decide(Pods, pod, 0));
        Assert.Equal((DeletionDecision.Immediate, 0L, "2030-01-01T00:00:00Z"), Decide(Pods, pod, null));
    }

    [Fact]
    public void Other_kinds_have_no_grace_period() =>
        Assert.Equal((DeletionDecision.Immediate, null, null), Decide(ConfigMaps, JsonNode.Parse("""{"metadata":{"name":"c"}}""")!.AsObject(), 30));
}
