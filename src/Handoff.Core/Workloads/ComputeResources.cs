using Handoff.Core.Nodes;
using k8s.Models;

namespace Handoff.Core.Workloads;

/// <summary>
/// Which resource names Kubernetes itself accounts for in a pod, and which are Handoff's own bookkeeping.
/// The Kubernetes rules follow k8s.io/component-helpers/scheduling/corev1 (IsNativeResourceName,
/// IsExtendedResourceName, IsHugePageResourceName).
/// </summary>
public static class ComputeResources
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string EphemeralStorage = "ephemeral-storage";
    public const string HugePagesPrefix = "hugepages-";

    /// <summary>Handoff's own domain: <c>handoff.dev/…</c> names are never put on a pod.</summary>
    public const string HandoffDomain = "handoff.dev";

    // A name containing this is in the kubernetes.io domain (including subdomains such as node.kubernetes.io/).
    private const string KubernetesDomainMarker = "kubernetes.io/";

    // ResourceQuota's prefix: an extended resource may not start with it, and must stay a qualified name behind it.
    private const string QuotaRequestsPrefix = "requests.";

    /// <summary>
    /// Whether Kubernetes accounts for <paramref name="name"/> in a pod's requests: <c>cpu</c>, <c>memory</c>,
    /// <c>ephemeral-storage</c>, <c>hugepages-&lt;size&gt;</c> (a valid quantity as the size), or an extended
    /// resource outside Handoff's domain (<c>nvidia.com/gpu</c>, <c>amd.com/gpu</c>, <c>example.com/fpga</c>).
    /// Everything else (<c>gpu</c>, <c>specialized_hardware</c>, <c>network_bandwidth</c>, <c>handoff.dev/*</c>,
    /// <c>pods</c>) is Handoff's bookkeeping and never reaches a pod.
    /// </summary>
    public static bool IsKubernetesComputeResource(string name) =>
        name is Cpu or Memory or EphemeralStorage
        || IsHugePages(name)
        || (IsExtendedResource(name) && !IsHandoffDomain(name));

    /// <summary>The opposite of <see cref="IsKubernetesComputeResource"/>: a name only Handoff counts.</summary>
    public static bool IsHandoffOnly(string name) => !IsKubernetesComputeResource(name);

    /// <summary>
    /// Kubernetes' native names: unprefixed (<c>cpu</c>, <c>pods</c>, <c>gpu</c>) or in the <c>kubernetes.io</c>
    /// domain (any name containing <c>kubernetes.io/</c>).
    /// </summary>
    public static bool IsNativeResource(string name) =>
        !name.Contains('/', StringComparison.Ordinal) || name.Contains(KubernetesDomainMarker, StringComparison.Ordinal);

    /// <summary>
    /// Kubernetes' extended resources: not native, not starting with <c>requests.</c>, and still a qualified name
    /// with <c>requests.</c> in front (so the domain is a DNS subdomain and the name part valid).
    /// <c>handoff.dev/x</c> is an extended resource to Kubernetes; <see cref="IsKubernetesComputeResource"/> excludes it.
    /// </summary>
    public static bool IsExtendedResource(string name) =>
        !IsNativeResource(name)
        && !name.StartsWith(QuotaRequestsPrefix, StringComparison.Ordinal)
        && KubernetesNames.IsQualifiedName(QuotaRequestsPrefix + name);

    /// <summary><c>hugepages-&lt;size&gt;</c> where the size is a positive Kubernetes quantity (<c>hugepages-2Mi</c>, <c>hugepages-1Gi</c>).</summary>
    public static bool IsHugePages(string name)
    {
        if (!name.StartsWith(HugePagesPrefix, StringComparison.Ordinal) || name.Length == HugePagesPrefix.Length)
        {
            return false;
        }

        try
        {
            return new ResourceQuantity(name[HugePagesPrefix.Length..]).ToDecimal() > 0;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Kubernetes lets a pod request more than the limit (overcommit) only for native, non-hugepages names;
    /// extended resources and hugepages need <c>limits</c> equal to <c>requests</c> (IsOvercommitAllowed).
    /// </summary>
    public static bool IsOvercommitAllowed(string name) => IsNativeResource(name) && !HasHugePagesPrefix(name);

    // Kubernetes' IsHugePageResourceName: the prefix alone, whatever follows.
    internal static bool HasHugePagesPrefix(string name) => name.StartsWith(HugePagesPrefix, StringComparison.Ordinal);

    private static bool IsHandoffDomain(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        var domain = name.AsSpan(0, slash);
        return domain.Equals(HandoffDomain, StringComparison.Ordinal)
            || domain.EndsWith("." + HandoffDomain, StringComparison.Ordinal);
    }
}
