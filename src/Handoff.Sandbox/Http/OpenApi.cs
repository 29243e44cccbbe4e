using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Http;

/// <summary>
/// OpenAPI v3 documents: the root index and one document per group-version. Every write operation declares the
/// <c>fieldValidation</c> query parameter, which makes kubectl leave validation to the server. Custom resources carry
/// their CRD schema in <c>components.schemas</c>; built-in kinds list operations only (kubectl then uses its compiled-in types).
/// </summary>
internal static class OpenApi
{
    public static JsonObject Root(ResourceRegistry registry, string instanceHash)
    {
        var paths = new JsonObject();
        foreach (var gv in registry.All.Select(t => (t.Group, t.Version)).Distinct())
        {
            var key = gv.Group.Length == 0 ? "api/" + gv.Version : $"apis/{gv.Group}/{gv.Version}";
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={Hash(registry, instanceHash)}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    private static string Hash(ResourceRegistry registry, string instanceHash) =>
        instanceHash + registry.Generation.ToString("X8", CultureInfo.InvariantCulture);

    private static JsonObject Param(string name, string description, string type = "string") => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static JsonArray WriteParams(bool patch)
    {
        var list = new JsonArray
        {
            Param("dryRun", "When present, indicates that modifications should not be persisted."),
            Param("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
            Param("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict."),
        };
        if (patch)
        {
            list.Add(Param("force", "Force is going to \"force\" Apply requests.", "boolean"));
        }

        return list;
    }

    private static JsonObject Op(ResourceType t, string action, string operationId, JsonArray? parameters = null)
    {
        var op = new JsonObject
        {
            ["description"] = $"{action} {t.Kind}",
            ["operationId"] = operationId,
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = t.Group, ["version"] = t.Version, ["kind"] = t.Kind },
        };
        if (parameters is not null)
        {
            op["parameters"] = parameters;
        }

        return op;
    }

    public static string SchemaName(ResourceType t)
    {
        var reversed = string.Join(".", t.Group.Split('.').Reverse());
        return (t.Group.Length == 0 ? "io.k8s.api.core" : reversed) + "." + t.Version + "." + t.Kind;
    }

    public static JsonObject? GroupVersion(ResourceRegistry registry, string group, string version)
    {
        var types = registry.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var t in types)
        {
            var prefix = group.Length == 0 ? "/api/" + version : $"/apis/{group}/{version}";
            var collection = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}" : $"{prefix}/{t.Plural}";
            var id = t.Kind + (t.Namespaced ? "Namespaced" : "");
            if (t.IsReview)
            {
                paths[collection] = new JsonObject { ["post"] = Op(t, "post", "create" + id, WriteParams(false)) };
                continue;
            }

            paths[collection] = new JsonObject
            {
                ["get"] = Op(t, "list", "list" + id),
                ["post"] = Op(t, "post", "create" + id, WriteParams(false)),
                ["delete"] = Op(t, "deletecollection", "deleteCollection" + id),
            };
            paths[collection + "/{name}"] = new JsonObject
            {
                ["get"] = Op(t, "get", "read" + id),
                ["put"] = Op(t, "put", "replace" + id, WriteParams(false)),
                ["patch"] = Op(t, "patch", "patch" + id, WriteParams(true)),
                ["delete"] = Op(t, "delete", "delete" + id),
            };
            if (t.HasStatus)
            {
                paths[collection + "/{name}/status"] = new JsonObject
                {
                    ["get"] = Op(t, "get", "read" + id + "Status"),
                    ["put"] = Op(t, "put", "replace" + id + "Status", WriteParams(false)),
                    ["patch"] = Op(t, "patch", "patch" + id + "Status", WriteParams(true)),
                };
            }

            if (t.Schema is { } schema)
            {
                var s = (JsonObject)schema.OpenApiSchema.DeepClone();
                s["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = t.Group, ["kind"] = t.Kind, ["version"] = t.Version });
                schemas[SchemaName(t)] = s;
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes (Handoff sandbox)", ["version"] = Discovery.GitVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }
}
