using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Schema;

namespace Handoff.Sandbox.Store;

/// <summary>The served resources: built-in kinds plus every version of every established CRD.</summary>
internal sealed class ResourceRegistry
{
    private readonly ConcurrentDictionary<(string Group, string Version, string Plural), ResourceType> _types = new();
    private readonly ConcurrentDictionary<string, List<ResourceType>> _byCrd = new(StringComparer.Ordinal);
    private long _generation;

    public ResourceRegistry()
    {
        foreach (var t in BuiltinTypes.All)
        {
            _types[(t.Group, t.Version, t.Plural)] = t;
        }
    }

    /// <summary>Changes whenever the served set changes (used in OpenAPI hashes).</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public ResourceType? Find(string group, string version, string plural) => _types.GetValueOrDefault((group, version, plural));

    /// <summary>A served type of the group/resource, its preferred version first (null when it is not served).</summary>
    public ResourceType? ByGroupResource(string groupResource) =>
        _types.Values.Where(t => t.GroupResource == groupResource).OrderByDescending(t => VersionPriority(t.Version)).FirstOrDefault();

    public ResourceType? FindByKind(string apiVersion, string kind) =>
        _types.Values.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    public IReadOnlyList<ResourceType> All => [.. _types.Values.OrderBy(t => t.Group, StringComparer.Ordinal).ThenBy(t => t.Plural, StringComparer.Ordinal)];

    /// <summary>Group → its versions, preferred (storage) version first.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        return [.. All.Where(t => t.Group.Length > 0)
            .GroupBy(t => t.Group)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(t => t.Version).Distinct().OrderByDescending(VersionPriority)]))];
    }

    private static int VersionPriority(string v)
    {
        // v1 > v1beta1 > v1alpha1, roughly as Kubernetes orders versions.
        var digits = new string([.. v.Skip(1).TakeWhile(char.IsAsciiDigit)]);
        var major = int.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : 0;
        var stability = v.Contains("alpha", StringComparison.Ordinal) ? 0 : v.Contains("beta", StringComparison.Ordinal) ? 1 : 2;
        return (stability * 1000) + major;
    }

    /// <summary>Builds the resource types of a CRD; throws 422 if it is not acceptable.</summary>
    public static List<ResourceType> TypesOf(JsonObject crd)
    {
        var name = JsonNodes.ScalarText(JsonNodes.At(crd, "metadata", "name"));
        var spec = crd["spec"] as JsonObject;
        var causes = new List<FieldCause>();
        var group = JsonNodes.GetString(spec, "group") ?? "";
        var names = spec?["names"] as JsonObject;
        var plural = JsonNodes.GetString(names, "plural") ?? "";
        var kind = JsonNodes.GetString(names, "kind") ?? "";
        var scope = JsonNodes.GetString(spec, "scope") ?? "";
        if (group.Length == 0)
        {
            causes.Add(FieldCause.Required("spec.group"));
        }

        if (plural.Length == 0)
        {
            causes.Add(FieldCause.Required("spec.names.plural"));
        }

        if (kind.Length == 0)
        {
            causes.Add(FieldCause.Required("spec.names.kind"));
        }

        if (scope is not ("Namespaced" or "Cluster"))
        {
            causes.Add(FieldCause.NotSupported("spec.scope", FieldCause.Quote(scope), ["Cluster", "Namespaced"]));
        }

        if (plural.Length > 0 && group.Length > 0 && name != plural + "." + group)
        {
            causes.Add(FieldCause.Invalid("metadata.name", FieldCause.Quote(name), "must be spec.names.plural+\".\"+spec.group"));
        }

        var versions = spec?["versions"] as JsonArray;
        if (versions is null || versions.Count == 0)
        {
            causes.Add(FieldCause.Required("spec.versions", "must have exactly one version marked as storage version"));
        }
        else if (versions.Count(v => v?["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b) != 1)
        {
            causes.Add(FieldCause.Invalid("spec.versions", "[]apiextensions.CustomResourceDefinitionVersion{...}", "must have exactly one version marked as storage version"));
        }

        var types = new List<ResourceType>();
        if (causes.Count == 0)
        {
            for (var i = 0; i < versions!.Count; i++)
            {
                if (versions[i] is not JsonObject v)
                {
                    continue;
                }

                var versionName = JsonNodes.GetString(v, "name") ?? "";
                if (v["served"] is JsonValue served && served.TryGetValue<bool>(out var isServed) && !isServed)
                {
                    continue;
                }

                if (JsonNodes.At(v, "schema", "openAPIV3Schema") is not JsonObject schemaNode)
                {
                    causes.Add(FieldCause.Required($"spec.versions[{i}].schema.openAPIV3Schema", "schemas are required"));
                    continue;
                }

                CrdSchema schema;
                try
                {
                    schema = new CrdSchema(schemaNode);
                }
                catch (Exception e) when (e is not ApiException)
                {
                    causes.Add(FieldCause.Invalid($"spec.versions[{i}].schema.openAPIV3Schema", "\"object\"", e.Message));
                    continue;
                }

                types.Add(new ResourceType
                {
                    Group = group,
                    Version = versionName,
                    Plural = plural,
                    Singular = JsonNodes.GetString(names, "singular") ?? kind.ToLowerInvariant(),
                    Kind = kind,
                    Namespaced = scope == "Namespaced",
                    ShortNames = [.. (names?["shortNames"] as JsonArray ?? []).Select(JsonNodes.ScalarText)],
                    Categories = [.. (names?["categories"] as JsonArray ?? []).Select(JsonNodes.ScalarText)],
                    HasStatus = JsonNodes.At(v, "subresources", "status") is JsonObject,
                    Schema = schema,
                    CrdName = name,
                    Columns = PrinterColumns.For(v),
                    FieldLabels = new HashSet<string>((v["selectableFields"] as JsonArray ?? []).Select(f => JsonNodes.GetString(f, "jsonPath")?.TrimStart('.') ?? "")),
                });
            }
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid("CustomResourceDefinition.apiextensions.k8s.io", "apiextensions.k8s.io", "CustomResourceDefinition", name, causes);
        }

        return types;
    }

    public void Register(string crdName, List<ResourceType> types)
    {
        Unregister(crdName);
        foreach (var t in types)
        {
            _types[(t.Group, t.Version, t.Plural)] = t;
        }

        _byCrd[crdName] = types;
        Interlocked.Increment(ref _generation);
    }

    public List<ResourceType> Unregister(string crdName)
    {
        if (!_byCrd.TryRemove(crdName, out var types))
        {
            return [];
        }

        foreach (var t in types)
        {
            _types.TryRemove((t.Group, t.Version, t.Plural), out _);
        }

        Interlocked.Increment(ref _generation);
        return types;
    }
}
