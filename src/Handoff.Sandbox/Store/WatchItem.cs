namespace Handoff.Sandbox.Store;

/// <summary>What a watcher's stream carries.</summary>
internal readonly record struct WatchItem(WatchEventType Type, StoredObject? Object, long ResourceVersion, ApiException? Error = null, bool InitialEventsEnd = false)
{
    public static string TypeName(WatchEventType type) => type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        WatchEventType.Deleted => "DELETED",
        WatchEventType.Bookmark => "BOOKMARK",
        _ => "ERROR",
    };
}
