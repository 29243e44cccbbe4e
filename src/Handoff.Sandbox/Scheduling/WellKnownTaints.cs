namespace Handoff.Sandbox.Scheduling;

/// <summary>The taints Kubernetes puts on nodes by their state (k8s.io/api core/v1 well_known_taints.go).</summary>
internal static class WellKnownTaints
{
    /// <summary>The node's Ready condition is False.</summary>
    public const string NotReady = "node.kubernetes.io/not-ready";

    /// <summary>The node's Ready condition is Unknown (or missing: no kubelet reports).</summary>
    public const string Unreachable = "node.kubernetes.io/unreachable";

    /// <summary>The node is cordoned (<c>spec.unschedulable</c>).</summary>
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
}
