namespace Handoff.Core.Nodes;

/// <summary>The effects of a taint (<c>v1.TaintEffect</c>); a toleration with an empty effect matches them all.</summary>
public static class TaintEffect
{
    /// <summary>No new pods unless tolerated; running ones stay.</summary>
    public const string NoSchedule = "NoSchedule";

    /// <summary>A soft NoSchedule: kube-scheduler scores it, never filters on it.</summary>
    public const string PreferNoSchedule = "PreferNoSchedule";

    /// <summary>Like NoSchedule, and running pods that do not tolerate it are evicted.</summary>
    public const string NoExecute = "NoExecute";
}
