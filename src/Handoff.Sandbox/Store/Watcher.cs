using System.Threading.Channels;

namespace Handoff.Sandbox.Store;

/// <summary>One open watch on a collection.</summary>
internal sealed class Watcher : IDisposable
{
    private const int MaxBacklog = 100_000;
    private readonly Channel<WatchItem> _channel = Channel.CreateUnbounded<WatchItem>();
    private readonly ResourceCollection _owner;

    public Watcher(ResourceCollection owner, Query query)
    {
        _owner = owner;
        Query = query;
    }

    public Query Query { get; }

    public ChannelReader<WatchItem> Reader => _channel.Reader;

    internal void Write(WatchItem item)
    {
        if (_channel.Reader.Count > MaxBacklog)
        {
            // A reader this far behind is dropped, as the API server drops slow watchers; clients re-watch.
            _channel.Writer.TryComplete();
            return;
        }

        _channel.Writer.TryWrite(item);
    }

    internal void Offer(WatchEvent e)
    {
        var matchesNew = Query.Matches(e.Object);
        switch (e.Type)
        {
            case WatchEventType.Added when matchesNew:
                Write(new WatchItem(WatchEventType.Added, e.Object, e.ResourceVersion));
                break;
            case WatchEventType.Deleted when matchesNew:
                Write(new WatchItem(WatchEventType.Deleted, e.Object, e.ResourceVersion));
                break;
            case WatchEventType.Modified:
                var matchesOld = e.Previous is not null && Query.Matches(e.Previous);
                if (matchesNew)
                {
                    Write(new WatchItem(matchesOld ? WatchEventType.Modified : WatchEventType.Added, e.Object, e.ResourceVersion));
                }
                else if (matchesOld)
                {
                    Write(new WatchItem(WatchEventType.Deleted, e.Object, e.ResourceVersion));
                }

                break;
        }
    }

    public void Bookmark() => _owner.Bookmark(this);

    /// <summary>Ends the stream (the HTTP response then ends).</summary>
    public void Close() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        Close();
        _owner.RemoveWatcher(this);
    }
}
