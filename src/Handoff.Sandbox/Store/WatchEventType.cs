namespace Handoff.Sandbox.Store;

/// <summary>The kinds of event a watch carries.</summary>
internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}
