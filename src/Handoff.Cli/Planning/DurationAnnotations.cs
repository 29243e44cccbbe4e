using Handoff.Api;
using Handoff.Api.V1Alpha1;

namespace Handoff.Cli.Planning;

/// <summary>
/// <c>handoff.dev/duration</c>: how long each attempt of a function runs, for <c>handoff plan</c> and for the
/// sandbox's simulated kubelet alike. <c>handoff.dev/sandbox-duration</c>, its old sandbox-only name, is still read
/// when the new one is absent, with a warning.
/// </summary>
internal static class DurationAnnotations
{
    public static readonly string DeprecationMessage =
        $"annotation {HandoffApi.SandboxDurationAnnotation} is deprecated: use {HandoffApi.DurationAnnotation} (read by handoff plan and by the sandbox alike); it is read as {HandoffApi.DurationAnnotation} for now";

    /// <summary>The value of the deprecated name on the function (or its pod template) when the new name is on neither.</summary>
    public static string? Deprecated(HandoffFunction function)
    {
        var own = function.Metadata?.Annotations;
        var template = function.Spec?.Template?.Metadata?.Annotations;
        if (own?.ContainsKey(HandoffApi.DurationAnnotation) == true || template?.ContainsKey(HandoffApi.DurationAnnotation) == true)
        {
            return null;
        }

        return own?.TryGetValue(HandoffApi.SandboxDurationAnnotation, out var value) == true ? value
            : template?.TryGetValue(HandoffApi.SandboxDurationAnnotation, out var templateValue) == true ? templateValue
            : null;
    }

    /// <summary>The function's duration, under either name; null when it has none (or it is not a duration).</summary>
    public static TimeSpan? Of(HandoffFunction function)
    {
        var own = function.Metadata?.Annotations;
        var text = own?.TryGetValue(HandoffApi.DurationAnnotation, out var value) == true ? value : Deprecated(function);
        return text is not null && GoDuration.TryParse(text, out var duration) ? duration : null;
    }
}
