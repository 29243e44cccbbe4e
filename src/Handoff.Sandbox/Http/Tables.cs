using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Http;

/// <summary>Server-side printing: <c>meta.k8s.io/v1 Table</c> answers for <c>Accept: ...;as=Table</c>.</summary>
internal static class Tables
{
    public static JsonArray ColumnDefinitions(ResourceType t) =>
        new([.. t.Columns.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["type"] = c.Type == "date" ? "string" : c.Type,
            ["format"] = c.Format,
            ["description"] = c.Description,
            ["priority"] = c.Priority,
        })]);

    public static JsonObject Row(ResourceType t, JsonObject obj, DateTimeOffset now, string includeObject)
    {
        var cells = new JsonArray();
        foreach (var c in t.Columns)
        {
            JsonNode? cell;
            try
            {
                cell = c.Cell(obj, now);
            }
            catch (InvalidOperationException)
            {
                cell = null;
            }

            cells.Add(cell);
        }

        var row = new JsonObject { ["cells"] = cells };
        switch (includeObject)
        {
            case "None":
                break;
            case "Object":
                row["object"] = obj.DeepClone();
                break;
            default:
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj["metadata"]?.DeepClone(),
                };
                break;
        }

        return row;
    }

    public static JsonObject Table(ResourceType t, IEnumerable<JsonObject> objects, DateTimeOffset now, string includeObject, string resourceVersion, string? continueToken, bool withColumns = true)
    {
        var meta = new JsonObject { ["resourceVersion"] = resourceVersion };
        if (continueToken is not null)
        {
            meta["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = meta,
            ["columnDefinitions"] = withColumns ? ColumnDefinitions(t) : new JsonArray(),
            ["rows"] = new JsonArray([.. objects.Select(o => (JsonNode)Row(t, o, now, includeObject))]),
        };
    }
}
