using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// One watch request sent through <see cref="ApiStreams"/>, read as the API server frames it: one JSON event a line,
/// each line's type and the bytes of its object (<see cref="WatchEventLine"/>), split in one reused buffer
/// (<see cref="WatchLineReader"/>). Every informer's source reads its watch this way and decodes the objects as it
/// needs; how a watch fails is said here once. A watch refused with 410 Gone, or ended by an ERROR event whose Status
/// is 410, is expired (<see cref="ResourceExpiredException"/>: the informer lists again); any other ERROR event is an
/// error (it backs off).
/// </summary>
public static class WatchStream
{
    /// <summary>
    /// The events after <paramref name="resourceVersion"/> of the resource at <paramref name="path"/>, with bookmarks,
    /// until the server ends the watch. An event's object bytes are valid only until the next event is asked for.
    /// </summary>
    /// <param name="name">the resource's name in errors (<c>pods</c>)</param>
    public static async IAsyncEnumerable<(WatchEventType Type, ReadOnlyMemory<byte> Object)> EventsAsync(
        ApiStreams client, string path, string resourceVersion, int timeoutSeconds, string name,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(path + new ListRequest(Watch: true, resourceVersion, timeoutSeconds).Query(), cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
        {
            throw new ResourceExpiredException(ex.Message);
        }

        using (response)
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var lines = new WatchLineReader(body);
            while (await lines.ReadLineAsync(cancellationToken) is { } line)
            {
                var (type, obj) = WatchEventLine.Read(line.Span);
                if (type == WatchEventType.Error)
                {
                    throw Failure(line.Span[obj], name);
                }

                yield return (type, line[obj]);
            }
        }
    }

    /// <summary>What an ERROR event's Status means: expired on 410, else a failed watch.</summary>
    private static Exception Failure(ReadOnlySpan<byte> status, string name)
    {
        var decoded = JsonSerializer.Deserialize<V1Status>(status, KubernetesJsonOptions.Value);
        return decoded?.Code == (int)HttpStatusCode.Gone
            ? new ResourceExpiredException(decoded.Message ?? "410 Gone")
            : new IOException($"watch of {name} failed: {decoded?.Message ?? "an error event"}");
    }
}
