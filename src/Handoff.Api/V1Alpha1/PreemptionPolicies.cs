namespace Handoff.Api.V1Alpha1;

/// <summary>Whether a function may evict lower-priority work (<c>spec.preemptionPolicy</c>, as a PriorityClass's).</summary>
public static class PreemptionPolicies
{
    public const string PreemptLowerPriority = "PreemptLowerPriority";

    public const string Never = "Never";
}
