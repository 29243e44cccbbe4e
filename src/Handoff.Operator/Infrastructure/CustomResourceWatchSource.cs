using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// An <see cref="IWatchSource{T}"/> for a custom resource that decodes every object on its own: one object the types
/// cannot read (a value its schema let through, written before the schema was tightened) is reported as an
/// <see cref="InvalidObject"/> and skipped — it never fails the list or the watch, so it cannot stop the operator. A
/// status field it cannot read is repaired instead (the operator derives the status and writes it again). Its list and
/// watch GETs go through <see cref="ApiStreams"/>, as the built-in kinds' do: a watch event's object is decoded once,
/// from its bytes (the functions' watch brings the stream's most numerous events); only one that fails is parsed
/// again, to be repaired or named.
/// </summary>
/// <param name="path">the resource's path, relative to the API server's base URI (<c>apis/handoff.dev/v1alpha1/handoffnodes</c>)</param>
/// <param name="json">how each object is decoded (default: KubernetesClient's own options)</param>
public sealed class CustomResourceWatchSource<T>(
    string kind, string name, ApiStreams client, string path, TimeSpan watchTimeout, JsonSerializerOptions? json = null) : IWatchSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly int _timeoutSeconds = Math.Max(1, (int)watchTimeout.TotalSeconds);
    private readonly JsonSerializerOptions _json = json ?? KubernetesJsonOptions.Value;

    public string Name { get; } = name;

    public IAsyncEnumerable<ResourceListPage<T>> ListAsync(int pageSize, Func<T, T> transform, CancellationToken cancellationToken) =>
        ListPager.PagesAsync(pageSize, (request, ct) => PageAsync(request, transform, ct), cancellationToken);

    /// <summary>One page: its document is dropped once every item is decoded and transformed.</summary>
    private async Task<ResourceListPage<T>> PageAsync(ListRequest request, Func<T, T> transform, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path + request.Query(), cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var body = document.RootElement;
        var items = new List<T>();
        var invalid = new List<InvalidObject>();
        if (body.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in array.EnumerateArray())
            {
                if (Decode(element, out var item, out var problem))
                {
                    items.Add(transform(item!));
                }
                else if (problem is not null)
                {
                    invalid.Add(problem);
                }
            }
        }

        var meta = body.TryGetProperty("metadata", out var m) ? m : default;
        return new ResourceListPage<T>(items, Text(meta, "resourceVersion") ?? "") { Invalid = invalid, Continue = Text(meta, "continue") };
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public async IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, obj) in WatchStream.EventsAsync(client, path, resourceVersion, _timeoutSeconds, Name, cancellationToken))
        {
            if (type == WatchEventType.Bookmark)
            {
                yield return new ResourceWatchEvent<T>(WatchEventType.Bookmark, null) { ResourceVersion = ResourceVersionOf(obj) };
            }
            else if (Decode(obj, out var item, out var problem))
            {
                yield return new ResourceWatchEvent<T>(type, item) { ResourceVersion = item!.Metadata.ResourceVersion };
            }
            else
            {
                yield return new ResourceWatchEvent<T>(type, null) { Invalid = problem, ResourceVersion = problem?.ResourceVersion ?? ResourceVersionOf(obj) };
            }
        }
    }

    /// <summary>A bookmark's (or an unnamed object's) resourceVersion; rare, so read through a document.</summary>
    private static string? ResourceVersionOf(ReadOnlyMemory<byte> obj)
    {
        using var document = JsonDocument.Parse(obj);
        return document.RootElement.TryGetProperty("metadata", out var meta) ? Text(meta, "resourceVersion") : null;
    }

    /// <summary>An event's object, decoded from its bytes; one that does not decode is parsed again, to be repaired or named.</summary>
    private bool Decode(ReadOnlyMemory<byte> obj, out T? item, out InvalidObject? problem)
    {
        try
        {
            item = JsonSerializer.Deserialize<T>(obj.Span, _json);
            problem = null;
            return item?.Metadata?.Name is not null;
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            using var document = JsonDocument.Parse(obj);
            return Decode(document.RootElement, out item, out problem);
        }
    }

    private static bool IsUnreadable(Exception ex) => ex is JsonException or FormatException or OverflowException or InvalidOperationException;

    private bool Decode(JsonElement element, out T? item, out InvalidObject? problem)
    {
        JsonObject? repaired = null;
        for (var repairs = 0; ; repairs++)
        {
            try
            {
                item = repaired is null
                    ? element.Deserialize<T>(_json)
                    : repaired.Deserialize<T>(_json);
                problem = null;
                return item?.Metadata?.Name is not null;
            }
            catch (Exception ex) when (IsUnreadable(ex))
            {
                // The status is the operator's own output, derived again every pass: a field of it that cannot be read
                // (written by hand, or under an older schema) is repaired and written again with the truth — not the object.
                if (repairs < MaxStatusFieldsRepaired && ex is JsonException { Path: { } path } &&
                    RepairStatusField(repaired ??= JsonNode.Parse(element.GetRawText())!.AsObject(), path))
                {
                    continue;
                }

                item = null;
                var meta = element.TryGetProperty("metadata", out var m) ? m : default;
                string? Field(string name) => meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(name, out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                problem = new InvalidObject(kind, Field("namespace"), Field("name") ?? "<unnamed>", Field("uid"), Field("resourceVersion"), ex.Message)
                {
                    Generation = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("generation", out var g) && g.TryGetInt64(out var n) ? n : null,
                };
                return false;
            }
        }
    }

    private const int MaxStatusFieldsRepaired = 8;

    /// <summary>
    /// Repairs the top-level status field <paramref name="path"/> (<c>$.status.attempts</c>,
    /// <c>$.status.conditions[0].type</c>) points into: a number (an integer out of range) is read as -1, a value the
    /// operator never writes, so its next status write (a diff against what it read) replaces it; anything else is
    /// removed. A status that is not an object is removed whole.
    /// </summary>
    private static bool RepairStatusField(JsonObject obj, string path)
    {
        const string prefix = "$.status";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        if (path.Length == prefix.Length || obj["status"] is not JsonObject status)
        {
            return obj.Remove("status");
        }

        if (path[prefix.Length] != '.')
        {
            return false;
        }

        var field = path[(prefix.Length + 1)..].Split('.', '[')[0];
        if (status[field] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.ToJsonString() != "-1")
        {
            status[field] = -1;
            return true;
        }

        return status.Remove(field);
    }
}
