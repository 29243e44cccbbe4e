using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// An <see cref="IWatchSource{T}"/> for a custom resource that decodes every object on its own: one object the types
/// cannot read (a value its schema let through, written before the schema was tightened) is reported as an
/// <see cref="InvalidObject"/> and skipped — it never fails the list or the watch, so it cannot stop the operator. A
/// status field it cannot read is repaired instead (the operator derives the status and writes it again).
/// </summary>
public sealed class CustomResourceWatchSource<T> : IWatchSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly string _kind;
    private readonly Func<ListRequest, CancellationToken, Task<HttpOperationResponse<JsonElement>>> _call;
    private readonly int _timeoutSeconds;
    private readonly JsonSerializerOptions _json;

    /// <param name="json">how each object is decoded (default: KubernetesClient's own options)</param>
    public CustomResourceWatchSource(
        string kind, string name, Func<ListRequest, CancellationToken, Task<HttpOperationResponse<JsonElement>>> call, TimeSpan watchTimeout,
        JsonSerializerOptions? json = null)
    {
        _kind = kind;
        Name = name;
        _call = call;
        _timeoutSeconds = Math.Max(1, (int)watchTimeout.TotalSeconds);
        _json = json ?? KubernetesJsonOptions.Value;
    }

    public string Name { get; }

    public IAsyncEnumerable<ResourceListPage<T>> ListAsync(int pageSize, Func<T, T> transform, CancellationToken cancellationToken) =>
        ListPager.PagesAsync(pageSize, (request, ct) => PageAsync(request, transform, ct), cancellationToken);

    /// <summary>One page: its document is dropped once every item is decoded and transformed.</summary>
    private async Task<ResourceListPage<T>> PageAsync(ListRequest request, Func<T, T> transform, CancellationToken cancellationToken)
    {
        using var response = await _call(request, cancellationToken);
        var body = response.Body;
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
                else
                {
                    invalid.Add(problem!);
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
        Exception? streamError = null;
        Task<HttpOperationResponse<JsonElement>> request;
        try
        {
            request = _call(new ListRequest(Watch: true, resourceVersion, _timeoutSeconds), cancellationToken);
            await request;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
        {
            throw new ResourceExpiredException(ex.Message);
        }

        // Each event's object arrives undecoded (JsonElement): decoding it is ours, one object at a time.
#pragma warning disable CS0618
        var events = request.WatchAsync<JsonElement, JsonElement>(ex => streamError ??= ex, cancellationToken);
#pragma warning restore CS0618
        await foreach (var (type, element) in events.WithCancellation(cancellationToken))
        {
            if (streamError is not null)
            {
                break;
            }

            if (type == WatchEventType.Error || element.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var rv = element.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var v) ? v.GetString() : null;
            if (type == WatchEventType.Bookmark)
            {
                yield return new ResourceWatchEvent<T>(WatchEventType.Bookmark, null) { ResourceVersion = rv };
                continue;
            }

            yield return Decode(element, out var item, out var problem)
                ? new ResourceWatchEvent<T>(type, item) { ResourceVersion = rv }
                : new ResourceWatchEvent<T>(type, null) { Invalid = problem, ResourceVersion = rv };
        }

        switch (streamError)
        {
            case null:
                yield break;
            case KubernetesException { Status.Code: (int)HttpStatusCode.Gone } gone:
                throw new ResourceExpiredException(gone.Status.Message ?? "410 Gone");
            default:
                throw new IOException($"watch of {Name} failed: {streamError.Message}", streamError);
        }
    }

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
            catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException)
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
                problem = new InvalidObject(_kind, Field("namespace"), Field("name") ?? "<unnamed>", Field("uid"), Field("resourceVersion"), ex.Message)
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
