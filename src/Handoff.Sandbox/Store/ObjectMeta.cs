using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>Reading and editing an object's metadata: deletion, finalizers, owner references.</summary>
internal static class ObjectMeta
{
    public static bool IsDeleting(JsonNode? obj) => JsonNodes.At(obj, "metadata", "deletionTimestamp") is not null;

    public static bool HasFinalizer(JsonNode? obj, string finalizer) =>
        JsonNodes.At(obj, "metadata", "finalizers") is JsonArray finalizers && finalizers.Any(f => JsonNodes.ScalarText(f) == finalizer);

    /// <summary>The uids of the object's owners.</summary>
    public static IEnumerable<string> OwnerUids(JsonNode? obj)
    {
        foreach (var r in JsonNodes.At(obj, "metadata", "ownerReferences") as JsonArray ?? [])
        {
            if (JsonNodes.GetString(r, "uid") is { Length: > 0 } uid)
            {
                yield return uid;
            }
        }
    }

    /// <summary>Removes <paramref name="finalizer"/>; returns whether it was there.</summary>
    public static bool RemoveFinalizer(JsonObject obj, string finalizer) => RemoveWhere(obj, "finalizers", f => JsonNodes.ScalarText(f) == finalizer);

    /// <summary>Removes the owner references to <paramref name="ownerUids"/>; returns whether there were any.</summary>
    public static bool RemoveOwnerReferences(JsonObject obj, IReadOnlyCollection<string> ownerUids) =>
        RemoveWhere(obj, "ownerReferences", r => ownerUids.Contains(JsonNodes.GetString(r, "uid") ?? ""));

    private static bool RemoveWhere(JsonObject obj, string list, Func<JsonNode?, bool> remove)
    {
        var meta = JsonNodes.Metadata(obj);
        if (meta[list] is not JsonArray items)
        {
            return false;
        }

        var kept = items.Where(i => !remove(i)).Select(i => i?.DeepClone()).ToArray();
        if (kept.Length == items.Count)
        {
            return false;
        }

        if (kept.Length == 0)
        {
            meta.Remove(list);
        }
        else
        {
            meta[list] = new JsonArray(kept);
        }

        return true;
    }
}
