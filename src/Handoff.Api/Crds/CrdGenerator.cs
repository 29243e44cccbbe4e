using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Models;

// Just over ~400 lines: one recursive walk over the C# types; its shape and pattern helpers are in CrdShapes and
// CrdPatterns.

namespace Handoff.Api.Crds;

/// <summary>
/// Builds the <c>apiextensions.k8s.io/v1</c> CustomResourceDefinitions of Handoff from the C# model types
/// (<see cref="HandoffNode"/>, <see cref="HandoffFunction"/>): <see cref="JsonSchemaExporter"/> walks the types and
/// a <c>TransformSchemaNode</c> callback applies the Kubernetes structural-schema rules and the
/// <see cref="CrdSchemaAttribute"/> validations. The files in <c>crds/</c> are this class's output.
/// </summary>
public static class CrdGenerator
{
    /// <summary>The root types, in the order their CRDs are written.</summary>
    public static IReadOnlyList<Type> ResourceTypes { get; } = [typeof(HandoffNode), typeof(HandoffFunction), typeof(HandoffQueue)];

    private static readonly JsonSerializerOptions s_modelOptions = new(JsonSerializerDefaults.General)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>The file name of a CRD: <c>&lt;plural&gt;.&lt;group&gt;.yaml</c>.</summary>
    public static string FileName(V1CustomResourceDefinition crd)
    {
        ArgumentNullException.ThrowIfNull(crd);
        return crd.Metadata.Name + ".yaml";
    }

    /// <summary>Every CRD, as file name → YAML text (exactly what <c>crds/</c> holds).</summary>
    public static IReadOnlyDictionary<string, string> RenderFiles()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in ResourceTypes)
        {
            var crd = Generate(type);
            files.Add(FileName(crd), ToYaml(crd));
        }

        return files;
    }

    /// <summary>The YAML text of a CRD file, with a header saying where it comes from.</summary>
    public static string ToYaml(V1CustomResourceDefinition crd)
    {
        var yaml = KubernetesYaml.Serialize(crd).Replace("\r\n", "\n", StringComparison.Ordinal);
        return "# Generated from the C# types in src/Handoff.Api/V1Alpha1 by Handoff.Api.Crds.CrdGenerator.\n"
            + "# Do not edit: regenerate with `HANDOFF_UPDATE_CRDS=1 dotnet test tests/Handoff.Api.Tests` (see docs/crds.md).\n"
            + yaml.TrimEnd('\n') + "\n";
    }

    /// <summary>The CustomResourceDefinition of a root type marked with <see cref="CrdResourceAttribute"/>.</summary>
    public static V1CustomResourceDefinition Generate(Type resourceType)
    {
        ArgumentNullException.ThrowIfNull(resourceType);
        var resource = resourceType.GetCustomAttribute<CrdResourceAttribute>()
            ?? throw new ArgumentException($"{resourceType.Name} has no [CrdResource] attribute.", nameof(resourceType));
        var kind = ((IKubernetesObject)Activator.CreateInstance(resourceType)!).Kind;
        var columns = resourceType.GetCustomAttributes<CrdPrinterColumnAttribute>()
            .OrderBy(c => c.Order)
            .Select(c => new V1CustomResourceColumnDefinition
            {
                Name = c.Name,
                Type = c.Type,
                JsonPath = c.JsonPath,
                Description = c.Description,
                Priority = c.Priority == 0 ? null : c.Priority,
            })
            .ToList();

        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta
            {
                Name = $"{resource.Plural}.{HandoffApi.Group}",
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/name"] = "handoff",
                    ["app.kubernetes.io/part-of"] = "handoff",
                },
            },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = HandoffApi.Group,
                Scope = resource.Scope,
                Names = new V1CustomResourceDefinitionNames
                {
                    Kind = kind,
                    ListKind = kind + "List",
                    Plural = resource.Plural,
                    Singular = resource.Singular,
                    ShortNames = resource.ShortNames.Length == 0 ? null : [.. resource.ShortNames],
                    Categories = resource.Categories.Length == 0 ? null : [.. resource.Categories],
                },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = HandoffApi.Version,
                        Served = true,
                        Storage = true,
                        Subresources = new V1CustomResourceSubresources { Status = new Dictionary<string, object>() },
                        AdditionalPrinterColumns = columns,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = ToSchemaProps(GenerateSchema(resourceType), "openAPIV3Schema") },
                    },
                ],
            },
        };
    }

    /// <summary>The <c>openAPIV3Schema</c> of a root type, as JSON.</summary>
    public static JsonObject GenerateSchema(Type resourceType)
    {
        ArgumentNullException.ThrowIfNull(resourceType);
        var exporterOptions = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Transform,
        };
        var node = JsonSchemaExporter.GetJsonSchemaAsNode(s_modelOptions, resourceType, exporterOptions);
        if (node is not JsonObject root)
        {
            throw new InvalidOperationException($"The schema of {resourceType.Name} is not an object.");
        }

        if (XmlDocs.Summary(resourceType) is { } description)
        {
            root.Insert(0, "description", description);
        }

        if (resourceType.GetCustomAttribute<CrdResourceAttribute>() is { MaxNameLength: > 0 } resource)
        {
            // The only part of metadata a CRD may constrain is the name; the rule reports on metadata.name, so the schema declares it.
            root["properties"]!["metadata"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["name"] = new JsonObject { ["type"] = "string" } } };
            var rules = root["x-kubernetes-validations"] as JsonArray ?? [];
            rules.Insert(0, new JsonObject
            {
                ["rule"] = $"self.metadata.name.size() <= {resource.MaxNameLength}",
                ["message"] = resource.NameMessage ?? $"metadata.name must be no more than {resource.MaxNameLength} characters",
                ["fieldPath"] = ".metadata.name",
            });
            root["x-kubernetes-validations"] = rules;
        }

        var problems = StructuralSchema.Check(root);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The schema generated for {resourceType.Name} is not a structural schema:\n  " + string.Join("\n  ", problems));
        }

        return root;
    }

    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema)
    {
        var property = context.PropertyInfo?.AttributeProvider as PropertyInfo;
        var attribute = property?.GetCustomAttribute<CrdSchemaAttribute>(inherit: true);
        var type = context.TypeInfo.Type;
        var description = property is null ? null : XmlDocs.Summary(property);

        if (attribute is { Shape: not CrdShape.None })
        {
            var shaped = CrdShapes.Of(attribute.Shape);
            Apply(shaped, attribute);
            AddDescription(shaped, description);
            return shaped;
        }

        if (type == typeof(V1ObjectMeta) || type == typeof(V1ListMeta))
        {
            // The API server validates metadata itself; a CRD may only say that it is an object.
            return new JsonObject { ["type"] = "object" };
        }

        if (schema is not JsonObject obj)
        {
            // `true` (anything): the model has a type the exporter cannot describe. The structural check reports it.
            return schema;
        }

        NormalizeType(obj);
        obj.Remove("$schema");

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(int))
        {
            // Every integer is bounded: a value the typed models cannot hold never gets into the cluster.
            obj["format"] = "int32";
            obj["minimum"] = attribute is { Minimum: not CrdSchemaAttribute.Unset } ? attribute.Minimum : int.MinValue;
            obj["maximum"] = attribute is { Maximum: not CrdSchemaAttribute.Unset } ? attribute.Maximum : int.MaxValue;
        }
        else if (underlying == typeof(long))
        {
            obj["format"] = "int64";
        }

        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object)
        {
            var required = context.TypeInfo.Properties
                .Where(p => p.AttributeProvider?.GetCustomAttributes(typeof(CrdSchemaAttribute), true)
                    .OfType<CrdSchemaAttribute>().Any(a => a.Required) == true)
                .Select(p => (JsonNode)JsonValue.Create(p.Name))
                .ToArray();
            obj.Remove("required");
            if (required.Length > 0)
            {
                obj["required"] = new JsonArray(required);
            }

            var rules = underlying.GetCustomAttributes<CrdRuleAttribute>()
                .Select(r =>
                {
                    var rule = new JsonObject { ["rule"] = r.Rule };
                    if (r.Message is not null)
                    {
                        rule["message"] = r.Message;
                    }

                    if (r.FieldPath is not null)
                    {
                        rule["fieldPath"] = r.FieldPath;
                    }

                    return (JsonNode)rule;
                })
                .ToArray();
            if (rules.Length > 0)
            {
                obj["x-kubernetes-validations"] = new JsonArray(rules);
            }
        }

        if (attribute is not null)
        {
            Apply(obj, attribute);
        }

        AddDescription(obj, description);
        return obj;
    }

    private static void NormalizeType(JsonObject obj)
    {
        // Structural schemas need one type per node; "optional" is expressed by leaving a field out, not by null.
        if (obj["type"] is JsonArray types)
        {
            var nonNull = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
            obj["type"] = nonNull.Count == 1
                ? nonNull[0]
                : throw new InvalidOperationException($"Ambiguous schema type [{string.Join(", ", nonNull)}].");
        }

        if (obj["enum"] is JsonArray values)
        {
            foreach (var value in values.Where(v => v is null).ToList())
            {
                values.Remove(value);
            }
        }
    }

    private static void Apply(JsonObject obj, CrdSchemaAttribute a)
    {
        SetString(obj, "pattern", a.Pattern);
        SetLong(obj, "minLength", a.MinLength);
        SetLong(obj, "maxLength", a.MaxLength);
        SetLong(obj, "minimum", a.Minimum);
        SetLong(obj, "maximum", a.Maximum);
        SetLong(obj, "minProperties", a.MinProperties);
        SetLong(obj, "maxProperties", a.MaxProperties);
        SetLong(obj, "maxItems", a.MaxItems);
        obj["default"] = a.Default switch
        {
            null => obj["default"]?.DeepClone(),
            string text => text,
            int or long => Convert.ToInt64(a.Default, System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"Unsupported default {a.Default} ({a.Default.GetType().Name})."),
        };
        if (obj["default"] is null)
        {
            obj.Remove("default");
        }

        if (a.Enum is { Length: > 0 })
        {
            obj["enum"] = new JsonArray([.. a.Enum.Select(v => (JsonNode)JsonValue.Create(v))]);
        }

        if (a.ValuePattern is not null || a.ValueMaxLength != CrdSchemaAttribute.Unset)
        {
            var values = obj["additionalProperties"] as JsonObject
                ?? throw new InvalidOperationException("ValuePattern/ValueMaxLength are for map properties.");
            SetString(values, "pattern", a.ValuePattern);
            SetLong(values, "maxLength", a.ValueMaxLength);
        }

        if (a.ItemPattern is not null || a.ItemMaxLength != CrdSchemaAttribute.Unset)
        {
            var items = obj["items"] as JsonObject
                ?? throw new InvalidOperationException("ItemPattern/ItemMaxLength are for list properties.");
            SetString(items, "pattern", a.ItemPattern);
            SetLong(items, "maxLength", a.ItemMaxLength);
        }

        if (a.ListMapKey is not null)
        {
            obj["x-kubernetes-list-type"] = "map";
            obj["x-kubernetes-list-map-keys"] = new JsonArray(a.ListMapKey);
        }
    }

    private static void AddDescription(JsonObject obj, string? description)
    {
        if (description is not null)
        {
            obj.Remove("description");
            obj.Insert(0, "description", description);
        }
    }

    private static void SetString(JsonObject obj, string name, string? value)
    {
        if (value is not null)
        {
            obj[name] = value;
        }
    }

    private static void SetLong(JsonObject obj, string name, long value)
    {
        if (value != CrdSchemaAttribute.Unset)
        {
            obj[name] = value;
        }
    }

    /// <summary>
    /// Converts a schema node to the KubernetesClient model. <c>items</c>, <c>additionalProperties</c>, <c>enum</c>
    /// and <c>default</c> are typed <c>object</c> there, so they are converted by hand to keep the YAML clean.
    /// </summary>
    private static V1JSONSchemaProps ToSchemaProps(JsonObject node, string path)
    {
        var plain = new JsonObject();
        foreach (var (key, value) in node)
        {
            if (key is not ("items" or "additionalProperties" or "enum" or "default" or "properties"))
            {
                plain[key] = value?.DeepClone();
            }
        }

        var props = KubernetesJson.Deserialize<V1JSONSchemaProps>(plain.ToJsonString());
        if (node["properties"] is JsonObject properties)
        {
            props.Properties = properties.ToDictionary(
                p => p.Key,
                p => ToSchemaProps(p.Value as JsonObject ?? throw Unsupported($"{path}.properties.{p.Key}"), $"{path}.properties.{p.Key}"));
        }

        props.Items = node["items"] switch
        {
            null => null,
            JsonObject items => ToSchemaProps(items, path + ".items"),
            _ => throw Unsupported(path + ".items"),
        };
        props.AdditionalProperties = node["additionalProperties"] switch
        {
            null => null,
            JsonObject values => ToSchemaProps(values, path + ".additionalProperties"),
            JsonValue flag when flag.TryGetValue<bool>(out var allowed) => allowed,
            _ => throw Unsupported(path + ".additionalProperties"),
        };
        props.EnumProperty = node["enum"] is JsonArray values2 ? [.. values2.Select(v => (object)ToPrimitive(v, path))] : null;
        props.DefaultProperty = node["default"] is { } defaultValue ? ToPrimitive(defaultValue, path) : null;
        return props;
    }

    private static object ToPrimitive(JsonNode? node, string path) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw Unsupported(path + " (enum/default value)"),
    };

    private static InvalidOperationException Unsupported(string path) => new($"Unsupported schema shape at {path}.");

    /// <summary>Indented JSON of a schema (for messages and debugging).</summary>
    public static string ToJson(JsonNode schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.ToJsonString(s_indented);
    }
}
