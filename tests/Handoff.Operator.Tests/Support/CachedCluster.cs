using System.Globalization;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using Handoff.Operator.Reconciliation;
using Handoff.Testing.Builders;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Support;

/// <summary>
/// The operator's caches and one term, for tests of what a term keeps from pass to pass: the snapshots come from the
/// caches (<see cref="ClusterSnapshot.Take"/>), so they carry what changed since the last listing, as the operator's do.
/// </summary>
public sealed class CachedCluster
{
    private int _version = 100;

    public ResourceCache<HandoffNode> HandoffNodes { get; } = new();

    public ResourceCache<V1Node> Nodes { get; } = new();

    public ResourceCache<HandoffFunction> Functions { get; } = new();

    public ResourceCache<PodRecord> Pods { get; } = new();

    public TermState Term { get; } = new(AllocationStrategy.FirstAvailable);

    /// <summary>HandoffNode "a" (4 cpu, declared) and "b" (its capacity from the Node worker-b: 4 cpu, 10 pods), with their Nodes.</summary>
    public static CachedCluster WithTwoNodes()
    {
        var cluster = new CachedCluster();
        cluster.Upsert(cluster.HandoffNodes, TestObjects.HandoffNode("a").Capacity("cpu", "4").Build());
        cluster.Upsert(cluster.HandoffNodes, TestObjects.HandoffNode("b").CapacityFromNode().NodeName("worker-b").Build());
        cluster.Upsert(cluster.Nodes, TestObjects.Node("a").Build());
        cluster.Upsert(cluster.Nodes, TestObjects.Node("worker-b").Allocatable("cpu", "4").Allocatable("pods", "10").Build());
        return cluster;
    }

    /// <summary>A resourceVersion newer than every one given before.</summary>
    public string NextVersion() => (++_version).ToString(CultureInfo.InvariantCulture);

    /// <summary>Stores <paramref name="item"/> at a new resourceVersion.</summary>
    public void Upsert<T>(ResourceCache<T> cache, T item)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(item);
        var version = NextVersion();
        item.Metadata.ResourceVersion = version;
        if (ResourceCache<T>.VersionOf(item) != version)
        {
            // An object whose metadata is made when read (a pod record) would be stored without its version.
            throw new InvalidOperationException($"{typeof(T).Name} did not take its resourceVersion through Metadata: give it one another way.");
        }

        cache.Upsert(item);
    }

    /// <summary>Stores <paramref name="pod"/> at a new resourceVersion (a record's metadata is made when read: it is given a copy).</summary>
    public void Upsert(ResourceCache<PodRecord> cache, PodRecord pod)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(pod);
        var identity = pod.Metadata;
        identity.ResourceVersion = NextVersion();
        cache.Upsert(pod with { Metadata = identity });
    }

    /// <summary>What the caches hold now, as a pass takes it.</summary>
    public ClusterSnapshot Snapshot() => ClusterSnapshot.Take(SnapshotBuilder.Now, HandoffNodes, Nodes, Functions, Pods);
}
