namespace Handoff.Sandbox.Store;

/// <summary>Options of a write request.</summary>
internal sealed record WriteOptions(FieldValidation Validation = FieldValidation.Warn, bool DryRun = false)
{
    /// <summary>For the emulator's own writes (controllers, kubelet): no unknown-field checks.</summary>
    public static WriteOptions Internal { get; } = new(FieldValidation.Ignore);
}
