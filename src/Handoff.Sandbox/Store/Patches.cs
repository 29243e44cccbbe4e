using System.Globalization;
using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a strategic merge patch covering what kubectl and our tools send.</summary>
internal static class Patches
{
    /// <summary>Merge keys of lists that strategic merge patch merges by key rather than replacing.</summary>
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["ports"] = "containerPort",
        ["conditions"] = "type",
        ["ownerReferences"] = "uid",
        ["imagePullSecrets"] = "name",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["resourceClaims"] = "name",
        ["secrets"] = "name",
        ["taints"] = "key",
        ["addresses"] = "type",
        ["containerStatuses"] = "name",
        ["initContainerStatuses"] = "name",
        ["schedulingGates"] = "name",
    };

    /// <summary>Lists of scalars that strategic merge patch merges as sets.</summary>
    private static readonly HashSet<string> MergeScalarLists = new(StringComparer.Ordinal) { "finalizers" };

    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObj)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObj)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = MergePatch(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }

        return result;
    }

    public static JsonNode? StrategicMergePatch(JsonNode? target, JsonNode? patch, string? field = null)
    {
        if (patch is not JsonObject patchObj)
        {
            return patch?.DeepClone();
        }

        if (JsonNodes.GetString(patchObj, "$patch") is { } directive)
        {
            if (directive == "replace")
            {
                var copy = (JsonObject)patchObj.DeepClone();
                copy.Remove("$patch");
                return copy;
            }

            if (directive == "delete")
            {
                return null;
            }
        }

        var result = target as JsonObject ?? [];
        List<string>? retainKeys = null;
        foreach (var (key, value) in patchObj)
        {
            if (key == "$retainKeys" && value is JsonArray keep)
            {
                retainKeys = [.. keep.Select(JsonNodes.ScalarText)];
                continue;
            }

            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal) || key == "$patch")
            {
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var list = key["$deleteFromPrimitiveList/".Length..];
                if (result[list] is JsonArray existing && value is JsonArray remove)
                {
                    var drop = remove.Select(v => v?.ToJsonString()).ToHashSet();
                    var kept = existing.Where(v => !drop.Contains(v?.ToJsonString())).Select(v => v?.DeepClone()).ToArray();
                    result[list] = new JsonArray(kept);
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            if (value is JsonArray patchList)
            {
                result[key] = MergeList(result[key] as JsonArray, patchList, key);
                continue;
            }

            result[key] = StrategicMergePatch(result[key]?.DeepClone(), value, key);
        }

        if (retainKeys is not null)
        {
            foreach (var key in result.Select(kv => kv.Key).ToList())
            {
                if (!retainKeys.Contains(key))
                {
                    result.Remove(key);
                }
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray? current, JsonArray patch, string field)
    {
        if (patch.Count == 1 && patch[0] is JsonObject only && JsonNodes.GetString(only, "$patch") == "replace")
        {
            return [];
        }

        if (MergeScalarLists.Contains(field))
        {
            var result = new JsonArray(current?.Select(v => v?.DeepClone()).ToArray() ?? []);
            var seen = result.Select(v => v?.ToJsonString()).ToHashSet();
            foreach (var v in patch)
            {
                if (seen.Add(v?.ToJsonString()))
                {
                    result.Add(v?.DeepClone());
                }
            }

            return result;
        }

        if (!MergeKeys.TryGetValue(field, out var mergeKey) || patch.Any(p => p is not JsonObject))
        {
            return (JsonArray)patch.DeepClone();
        }

        var merged = current?.Select(v => v?.DeepClone()).ToList() ?? [];
        foreach (var item in patch.OfType<JsonObject>())
        {
            var keyValue = item[mergeKey]?.ToJsonString();
            var index = merged.FindIndex(m => m is JsonObject mo && mo[mergeKey]?.ToJsonString() == keyValue);
            var directive = JsonNodes.GetString(item, "$patch");
            if (directive == "delete")
            {
                if (index >= 0)
                {
                    merged.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                merged[index] = StrategicMergePatch(merged[index], item, field);
            }
            else
            {
                var copy = (JsonObject)item.DeepClone();
                copy.Remove("$patch");
                merged.Add(copy);
            }
        }

        return new JsonArray([.. merged]);
    }

    /// <summary>Applies an RFC 6902 JSON patch; a failed <c>test</c> or a bad path is an error.</summary>
    public static JsonNode JsonPatch(JsonNode document, JsonArray operations)
    {
        var root = new JsonObject { ["r"] = document };
        foreach (var opNode in operations)
        {
            if (opNode is not JsonObject op)
            {
                throw ApiException.BadRequest("the server rejected our request due to an error in our request: json patch operation must be an object");
            }

            var name = JsonNodes.GetString(op, "op");
            var path = JsonNodes.GetString(op, "path") ?? throw ApiException.BadRequest("json patch: missing path");
            switch (name)
            {
                case "add":
                    Add(root, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    {
                        var from = JsonNodes.GetString(op, "from") ?? throw ApiException.BadRequest("json patch: missing from");
                        var value = Get(root, from)?.DeepClone();
                        Remove(root, from);
                        Add(root, path, value);
                        break;
                    }

                case "copy":
                    {
                        var from = JsonNodes.GetString(op, "from") ?? throw ApiException.BadRequest("json patch: missing from");
                        Add(root, path, Get(root, from)?.DeepClone());
                        break;
                    }

                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"the server rejected our request due to an error in our request: unexpected kind: {name}");
            }
        }

        return root["r"] ?? throw ApiException.BadRequest("json patch removed the whole document");
    }

    private static List<string> Segments(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw ApiException.BadRequest($"the server rejected our request due to an error in our request: invalid JSON pointer \"{pointer}\"");
        }

        return [.. pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static (JsonNode Parent, string Last) Parent(JsonObject root, string pointer)
    {
        var segments = Segments(pointer);
        segments.Insert(0, "r");
        JsonNode current = root;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            current = Child(current, segments[i]) ?? throw MissingPath(pointer);
        }

        return (current, segments[^1]);
    }

    private static ApiException MissingPath(string pointer) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: doc is missing path: \"{pointer}\": missing value");

    private static JsonNode? Child(JsonNode node, string segment) => node switch
    {
        JsonObject o => o[segment],
        JsonArray a when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonObject root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        return Child(parent, last);
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw MissingPath(pointer);
        }
    }

    private static void Remove(JsonObject root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw MissingPath(pointer);
        }
    }
}
