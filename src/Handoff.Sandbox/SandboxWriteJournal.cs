using Handoff.Sandbox.Store;

namespace Handoff.Sandbox;

/// <summary>
/// The API server's own record: every write it accepted (creates, updates, patches, bindings, deletes — by clients and
/// by the sandbox's controllers and kubelet), in resourceVersion order, with the <c>User-Agent</c> of the request that
/// made it. Auditors replay it to check what held at every moment, and who wrote after losing a lease. Off unless
/// <see cref="SandboxOptions.RecordWrites"/> (it keeps every version of every object).
/// </summary>
public sealed class SandboxWriteJournal
{
    private static readonly AsyncLocal<(string UserAgent, string Request)?> CurrentRequest = new();
    private readonly Lock _lock = new();
    private readonly List<SandboxWrite> _writes = [];
    private bool _sorted = true;

    internal SandboxWriteJournal(bool enabled) => Enabled = enabled;

    public bool Enabled { get; }

    /// <summary>
    /// Raised for every accepted write, on the writer's thread, right after the commit (before the client has its
    /// answer): a handler can act "right after a create" of someone else. Handlers must be quick. Writes committed on
    /// different threads may be raised slightly out of resourceVersion order; <see cref="Snapshot"/> is in order.
    /// </summary>
    public event Action<SandboxWrite>? Written;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _writes.Count;
            }
        }
    }

    /// <summary>The writes with a resourceVersion above <paramref name="afterResourceVersion"/>, in resourceVersion order.</summary>
    public IReadOnlyList<SandboxWrite> Snapshot(long afterResourceVersion = 0)
    {
        lock (_lock)
        {
            if (!_sorted)
            {
                _writes.Sort(static (a, b) => a.ResourceVersion.CompareTo(b.ResourceVersion));
                _sorted = true;
            }

            var start = _writes.BinarySearch(new SandboxWrite(afterResourceVersion, "", "", null, "", "", "", null, default), ByVersion.Instance);
            start = start >= 0 ? start + 1 : ~start;
            return _writes.GetRange(start, _writes.Count - start);
        }
    }

    /// <summary>Marks the current request (its user agent and what it asks) for the writes it makes; restored when the request's async flow ends.</summary>
    internal static void BeginRequest(string userAgent, string verb, string resource) => CurrentRequest.Value = (userAgent, verb + " " + resource);

    internal void Record(StoreChange change)
    {
        var request = CurrentRequest.Value;
        var obj = change.Object;
        var ns = obj.Namespace;
        var write = new SandboxWrite(
            obj.ResourceVersion,
            change.Type switch { WatchEventType.Added => "ADDED", WatchEventType.Deleted => "DELETED", _ => "MODIFIED" },
            change.Collection.GroupResource,
            ns.Length == 0 ? null : ns,
            obj.Name,
            obj.Uid,
            request?.UserAgent ?? "",
            request?.Request,
            obj.Json);
        lock (_lock)
        {
            if (_writes.Count > 0 && _writes[^1].ResourceVersion > write.ResourceVersion)
            {
                _sorted = false;
            }

            _writes.Add(write);
        }

        Written?.Invoke(write);
    }

    private sealed class ByVersion : IComparer<SandboxWrite>
    {
        public static ByVersion Instance { get; } = new();

        public int Compare(SandboxWrite? x, SandboxWrite? y) => x!.ResourceVersion.CompareTo(y!.ResourceVersion);
    }
}
