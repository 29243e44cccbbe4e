using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>
/// A validating admission check of a write, run after the object's own validation and before it is stored:
/// <paramref name="old"/> is null on create. Throws an <see cref="ApiException"/> to refuse the write.
/// </summary>
internal delegate void AdmissionCheck(ResourceType type, string? subresource, JsonObject obj, JsonObject? old);

/// <summary>Options of a write request.</summary>
internal sealed record WriteOptions(FieldValidation Validation = FieldValidation.Warn, bool DryRun = false)
{
    /// <summary>For the emulator's own writes (controllers, kubelet): no unknown-field checks.</summary>
    public static WriteOptions Internal { get; } = new(FieldValidation.Ignore);

    /// <summary>The requester's admission checks (the emulator's own writes have none).</summary>
    public AdmissionCheck? Admission { get; init; }
}
