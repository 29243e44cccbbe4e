namespace Handoff.Sandbox.Store;

/// <summary>A change in a collection's history.</summary>
internal sealed class WatchEvent(WatchEventType type, StoredObject obj, StoredObject? previous)
{
    public WatchEventType Type { get; } = type;

    public StoredObject Object { get; } = obj;

    /// <summary>The state before a modification (for selector transitions).</summary>
    public StoredObject? Previous { get; } = previous;

    public long ResourceVersion => Object.ResourceVersion;
}
