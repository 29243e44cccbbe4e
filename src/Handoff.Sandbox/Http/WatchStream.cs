using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Http;

/// <summary>
/// <c>watch=true</c>: one JSON event per line, chunked and flushed; bookmarks, <c>sendInitialEvents</c>, table rows
/// for <c>kubectl get -w</c>, and the 410 ERROR event for a resourceVersion older than the kept history.
/// </summary>
internal sealed class WatchStream(ApiEngine engine, TimeSpan bookmarkInterval)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();
    private static readonly byte[] EventSuffix = "}\n"u8.ToArray();
    private static readonly byte[] AddedPrefix = "{\"type\":\"ADDED\",\"object\":"u8.ToArray();
    private static readonly byte[] ModifiedPrefix = "{\"type\":\"MODIFIED\",\"object\":"u8.ToArray();
    private static readonly byte[] DeletedPrefix = "{\"type\":\"DELETED\",\"object\":"u8.ToArray();

    public async Task ServeAsync(HttpContext ctx, RequestTarget target, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var t = target.Type;
        var q = RequestReader.ParseQuery(target, query);
        if (target.Name is not null)
        {
            q = q with { Fields = FieldSelector.Parse($"metadata.name={target.Name}", t) };
        }

        long? fromRv = null;
        if (query["resourceVersion"].ToString() is { Length: > 0 } rvText && rvText != "0")
        {
            fromRv = long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
                ? rv
                : throw ApiException.BadRequest($"invalid resource version: {rvText}");
        }

        var sendInitial = RequestReader.IsTrue(query["sendInitialEvents"]);
        var bookmarks = RequestReader.IsTrue(query["allowWatchBookmarks"]);
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var ts) && ts > 0
            ? TimeSpan.FromSeconds(ts)
            : TimeSpan.FromMinutes(30);
        var table = RequestReader.WantsTable(ctx);
        var includeObject = RequestReader.IncludeObject(ctx);

        using var watcher = engine.CollectionOf(t).Watch(q, fromRv, sendInitial);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-cache, private";
        await ctx.Response.StartAsync(ct);
        await ctx.Response.Body.FlushAsync(ct);

        using var bookmarkTimer = bookmarks ? new PeriodicTimer(bookmarkInterval, engine.Time) : null;
        var bookmarkTask = bookmarkTimer is null ? Task.CompletedTask : BookmarkLoopAsync(bookmarkTimer, watcher, cts.Token);
        var first = true;
        try
        {
            var reader = watcher.Reader;
            while (await reader.WaitToReadAsync(cts.Token))
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Type == WatchEventType.Bookmark && !bookmarks && !item.InitialEventsEnd)
                    {
                        continue;
                    }

                    if (!table && item.Object is { } obj && item.Type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
                    {
                        // The common case writes the stored bytes between a fixed prefix and suffix, without copying.
                        await ctx.Response.Body.WriteAsync(EventPrefix(item.Type), cts.Token);
                        await ctx.Response.Body.WriteAsync(ResponseWriter.BytesFor(t, obj), cts.Token);
                        await ctx.Response.Body.WriteAsync(EventSuffix, cts.Token);
                    }
                    else
                    {
                        await ctx.Response.Body.WriteAsync(EventLine(t, item, table, includeObject, first), cts.Token);
                    }

                    first = false;
                    if (item.Type == WatchEventType.Error)
                    {
                        return;
                    }
                }

                await ctx.Response.Body.FlushAsync(cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout or client gone: the stream simply ends.
        }
        finally
        {
            await cts.CancelAsync();
            await bookmarkTask;
        }
    }

    private static byte[] EventPrefix(WatchEventType type) => type switch
    {
        WatchEventType.Added => AddedPrefix,
        WatchEventType.Modified => ModifiedPrefix,
        _ => DeletedPrefix,
    };

    private static async Task BookmarkLoopAsync(PeriodicTimer timer, Watcher watcher, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                watcher.Bookmark();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private byte[] EventLine(ResourceType t, WatchItem item, bool table, string includeObject, bool first)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write("{\"type\":\""u8);
        buffer.Write(Encoding.UTF8.GetBytes(WatchItem.TypeName(item.Type)));
        buffer.Write("\",\"object\":"u8);
        switch (item.Type)
        {
            case WatchEventType.Error:
                buffer.Write(JsonNodes.ToBytes(item.Error!.ToStatus()));
                break;
            case WatchEventType.Bookmark:
                var meta = new JsonObject { ["resourceVersion"] = item.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
                if (item.InitialEventsEnd)
                {
                    meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
                }

                buffer.Write(JsonNodes.ToBytes(new JsonObject { ["kind"] = t.Kind, ["apiVersion"] = t.ApiVersion, ["metadata"] = meta }));
                break;
            default:
                if (table)
                {
                    var tableObj = Tables.Table(t, [item.Object!.Node], engine.Time.GetUtcNow(), includeObject,
                        item.Object.ResourceVersion.ToString(CultureInfo.InvariantCulture), null, withColumns: first);
                    buffer.Write(JsonNodes.ToBytes(tableObj));
                }
                else
                {
                    buffer.Write(ResponseWriter.BytesFor(t, item.Object!));
                }

                break;
        }

        buffer.Write("}"u8);
        buffer.Write(Newline);
        return buffer.WrittenSpan.ToArray();
    }
}
