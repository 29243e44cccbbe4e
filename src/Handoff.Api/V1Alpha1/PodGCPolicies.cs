namespace Handoff.Api.V1Alpha1;

/// <summary>When a function's pod is deleted once the function has its outcome (<c>spec.podGC</c>).</summary>
public static class PodGCPolicies
{
    public const string Never = "Never";

    public const string OnSuccess = "OnSuccess";

    public const string OnCompletion = "OnCompletion";
}
