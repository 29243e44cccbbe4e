using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using Handoff.Operator.Reconciliation;
using Handoff.Testing.Builders;
using k8s.Models;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 1: what the caches hold at the start of a pass, in a stable order.</summary>
public sealed class ClusterSnapshotTests
{
    [Fact]
    public void The_caches_are_read_in_a_stable_order()
    {
        var handoffNodes = new ResourceCache<HandoffNode>();
        var nodes = new ResourceCache<V1Node>();
        var functions = new ResourceCache<HandoffFunction>();
        var pods = new ResourceCache<PodRecord>();
        foreach (var name in new[] { "c", "a", "b" })
        {
            handoffNodes.Upsert(TestObjects.HandoffNode(name).Capacity("cpu", "1").Build());
            nodes.Upsert(TestObjects.Node(name).Build());
        }

        functions.Upsert(TestObjects.Function("z", "ns-a").Build());
        functions.Upsert(TestObjects.Function("a", "ns-b").Build());
        functions.Upsert(TestObjects.Function("m", "ns-a").Build());
        var f = TestObjects.Function("f").Build();
        pods.Upsert(CacheTransforms.Pod(TestObjects.PodOf(f).Build()));
        var now = TestObjects.Epoch.AddMinutes(7);

        var snapshot = ClusterSnapshot.Take(now, handoffNodes, nodes, functions, pods);

        Assert.Equal(now, snapshot.Now);
        Assert.Equal(["a", "b", "c"], snapshot.HandoffNodes.Select(n => n.Metadata.Name));
        Assert.Equal(["a", "b", "c"], snapshot.Nodes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["ns-a/m", "ns-a/z", "ns-b/a"], snapshot.Functions.Select(x => x.Metadata.NamespaceProperty + "/" + x.Metadata.Name));
        Assert.Equal(["f-1"], snapshot.Pods.Select(p => p.Metadata.Name));
        Assert.Empty(snapshot.Invalid);
        Assert.Equal(["ns-a/m", "ns-a/z", "ns-b/a"], snapshot.FunctionKeys);
    }

    [Fact]
    public void A_pass_keys_each_function_by_the_string_its_cache_keys_it_by()
    {
        var functions = new ResourceCache<HandoffFunction>();
        functions.Upsert(TestObjects.Function("b", "ns").Build());
        functions.Upsert(TestObjects.Function("a", "ns").Build());
        var snapshot = ClusterSnapshot.Take(TestObjects.Epoch, new ResourceCache<HandoffNode>(), new ResourceCache<V1Node>(), functions, new ResourceCache<PodRecord>());
        var term = new TermState(Core.Allocation.AllocationStrategy.FirstAvailable);

        var views = FunctionLifecycleStep.Build(snapshot, PodView.Build(snapshot, NodeView.Build(snapshot, term.ParseNode)), term, new Core.Lifecycle.RetryPolicy(3));

        Assert.Equal(2, views.Count);
        for (var i = 0; i < views.Count; i++)
        {
            Assert.Same(snapshot.FunctionKeys[i], views[i].Key);
            Assert.Same(snapshot.FunctionKeys[i], views[i].Mapped!.Id);
        }

        // A snapshot without the keys makes them: equal, not the cache's.
        var made = FunctionLifecycleStep.Build(snapshot with { FunctionKeys = [] }, PodView.Build(snapshot, NodeView.Build(snapshot, term.ParseNode)), new TermState(Core.Allocation.AllocationStrategy.FirstAvailable), new Core.Lifecycle.RetryPolicy(3));
        Assert.Equal(snapshot.FunctionKeys, made.Select(v => v.Key));
        Assert.NotSame(snapshot.FunctionKeys[0], made[0].Key);
    }
}
