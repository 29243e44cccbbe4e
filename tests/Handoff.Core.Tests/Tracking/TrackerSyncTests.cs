using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Tracking;

public sealed class TrackerSyncTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static ResourceList Cpu(string amount) => ResourceList.Of(("cpu", amount));

    private static SimpleResourceTracker Tracker(string cpu)
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("n", Cpu(cpu));
        return tracker;
    }

    [Fact]
    public void Bound_pods_are_held_even_above_a_lowered_capacity()
    {
        var tracker = Tracker("1");
        var result = TrackerSync.Apply(tracker, [new LivePlacement("ns/a-1", "n", Cpu("2"), Bound: true, T0), new LivePlacement("ns/b-1", "n", Cpu("1"), Bound: true, T0)]);
        Assert.Empty(result.ToBind);
        Assert.Equal(3000, tracker.GetNode("n")!.Allocated["cpu"]);
        Assert.Equal(-2000, tracker.Available("n")!["cpu"]);
    }

    [Fact]
    public void Unbound_pods_are_taken_again_in_creation_order_and_the_ones_that_no_longer_fit_are_to_be_deleted()
    {
        var tracker = Tracker("3");
        var result = TrackerSync.Apply(tracker,
        [
            new LivePlacement("ns/bound-1", "n", Cpu("1"), Bound: true, T0),
            new LivePlacement("ns/late-1", "n", Cpu("2"), Bound: false, T0.AddSeconds(2)),
            new LivePlacement("ns/early-1", "n", Cpu("2"), Bound: false, T0.AddSeconds(1)),
        ]);
        Assert.Equal(["ns/early-1"], result.ToBind.Select(p => p.Holder));
        Assert.Equal(["ns/late-1"], result.ToDelete.Select(p => p.Holder));
        Assert.Null(tracker.NodeOf("ns/late-1"));
    }

    [Fact]
    public void A_held_unbound_pod_is_bound_only_if_it_still_fits_after_a_capacity_cut()
    {
        var tracker = Tracker("4");
        var pod = new LivePlacement("ns/f-1", "n", Cpu("2"), Bound: false, T0);
        Assert.Single(TrackerSync.Apply(tracker, [pod]).ToBind);
        Assert.Equal("n", tracker.NodeOf("ns/f-1"));

        // The binding failed; meanwhile the node was cut to 1 cpu: binding it now would over-commit.
        tracker.SetNode("n", Cpu("1"));
        var result = TrackerSync.Apply(tracker, [pod]);
        Assert.Empty(result.ToBind);
        Assert.Equal([pod], result.ToDelete);
        Assert.Null(tracker.NodeOf("ns/f-1"));
    }

    [Fact]
    public void Holders_whose_pods_ended_are_released_and_a_changed_cost_is_held_as_the_pod_says()
    {
        var tracker = Tracker("8");
        TrackerSync.Apply(tracker, [new LivePlacement("ns/a-1", "n", Cpu("2"), true, T0), new LivePlacement("ns/b-1", "n", Cpu("2"), true, T0)]);
        TrackerSync.Apply(tracker, [new LivePlacement("ns/a-1", "n", Cpu("3"), true, T0)]);
        Assert.Equal(3000, tracker.GetNode("n")!.Allocated["cpu"]);
        Assert.Null(tracker.NodeOf("ns/b-1"));
        TrackerSync.Apply(tracker, []);
        Assert.True(tracker.GetNode("n")!.Allocated.IsZero);
    }
}
