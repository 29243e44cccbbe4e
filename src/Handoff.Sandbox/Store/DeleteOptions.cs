namespace Handoff.Sandbox.Store;

/// <summary>Options of a delete request (a <c>DeleteOptions</c> body or its query parameters).</summary>
/// <param name="PropagationPolicy">Background, Foreground or Orphan; null = the resource's default (Background) or what the object's finalizers already ask.</param>
/// <param name="GracePeriodSeconds">For pods: overrides <c>spec.terminationGracePeriodSeconds</c>; 0 deletes at once.</param>
internal sealed record DeleteOptions(
    string? PropagationPolicy = null,
    string? PreconditionUid = null,
    string? PreconditionResourceVersion = null,
    bool DryRun = false,
    long? GracePeriodSeconds = null)
{
    public static DeleteOptions Background { get; } = new("Background");
}
