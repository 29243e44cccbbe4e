using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Handoff.Api.Manifests;

/// <summary>
/// The one manifest reader of <c>handoff plan</c>, <c>handoff sandbox --apply</c> and the tests: it reads what
/// <c>kubectl apply -f</c> reads, as kubectl 1.35 reads it (<see cref="ManifestText"/> for the documents,
/// <see cref="YamlToJson"/> for YAML typing), expands <c>List</c>s, and deserializes the kinds of
/// <see cref="ManifestKinds"/> strictly.
/// </summary>
public static partial class ManifestReader
{
    private static readonly JsonSerializerOptions s_strict = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads every object of one file (or standard input).</summary>
    /// <exception cref="ManifestException">the file cannot be read, or holds something that is not a Kubernetes object.</exception>
    public static IReadOnlyList<ManifestObject> Read(ManifestFile file, TextReader standardInput)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(standardInput);
        string text;
        try
        {
            text = file.IsStandardInput ? standardInput.ReadToEnd() : File.ReadAllText(file.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException($"{file.DisplayName}: {e.Message}", e);
        }

        return Read(text, file.DisplayName);
    }

    /// <summary>
    /// Reads every object of a manifest text, in order. A document with an <c>items</c> list (<c>kind: List</c>, what
    /// <c>kubectl get -o yaml</c> prints, or a <c>HandoffFunctionList</c>) yields its items; an item without
    /// apiVersion and kind takes the list's apiVersion and its kind without the <c>List</c> suffix.
    /// </summary>
    /// <exception cref="ManifestException">malformed YAML or JSON, or a document that is not a Kubernetes object.</exception>
    public static IReadOnlyList<ManifestObject> Read(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var objects = new List<ManifestObject>();
        foreach (var (root, lines) in ManifestText.Documents(text, source))
        {
            Add(objects, root, lines, source, inherited: null);
        }

        return objects;
    }

    /// <summary>
    /// The documents of a YAML or JSON text converted as kubectl converts them, whatever they hold (request bodies,
    /// configuration files): no apiVersion or kind needed, lists not expanded, documents without content skipped.
    /// </summary>
    /// <exception cref="ManifestException">malformed YAML or JSON.</exception>
    public static IReadOnlyList<JsonNode> ReadDocuments(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        return [.. ManifestText.Documents(text, source).Select(d => d.Root)];
    }

    /// <summary>Reads a manifest text and deserializes every object (<see cref="ToTyped"/>).</summary>
    public static IReadOnlyList<ManifestDocument> ReadTyped(string text, string source) => [.. Read(text, source).Select(ToTyped)];

    /// <summary>
    /// The typed model of an object of one of <see cref="ManifestKinds.All"/>, deserialized strictly (an unknown field
    /// is an error, as with <c>kubectl apply --validate=strict</c>).
    /// </summary>
    /// <exception cref="ManifestException">another kind, an unknown field, or a value the model cannot hold; the message names the line, object and field.</exception>
    public static ManifestDocument ToTyped(ManifestObject manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var kind = ManifestKinds.Find(manifest.ApiVersion, manifest.Kind)
            ?? throw new ManifestException(manifest.Location,
                $"unknown kind \"{manifest.Kind}\" (apiVersion \"{manifest.ApiVersion}\"): expected one of {string.Join(", ", ManifestKinds.All)}");
        IKubernetesObject<V1ObjectMeta> typed;
        try
        {
            typed = (IKubernetesObject<V1ObjectMeta>)(manifest.Json.Deserialize(kind.Type, s_strict)
                ?? throw new JsonException("the object is null"));
        }
        catch (JsonException e)
        {
            var segments = Segments(e.Path);
            if (UnmappedProperty().Match(e.Message) is { Success: true } unmapped)
            {
                // The path names the unknown property or its parent, depending on where the reader stopped.
                var name = unmapped.Groups["name"].Value;
                if (segments.Count == 0 || !Equals(segments[^1], name))
                {
                    segments.Add(name);
                }

                var unknown = Render(segments);
                throw new ManifestException(manifest.LocationOf(unknown), $"{manifest.Describe()}: unknown field \"{unknown}\"", e);
            }

            var field = Render(segments);
            throw new ManifestException(manifest.LocationOf(field), $"{manifest.Describe()}: {Problem(e, field, At(manifest.Json, segments))}", e);
        }

        typed.Metadata ??= new V1ObjectMeta();
        return new ManifestDocument(manifest, typed);
    }

    private static void Add(List<ManifestObject> objects, JsonNode root, FieldLines lines, string source, (string ApiVersion, string Kind)? inherited)
    {
        var at = new ManifestLocation(source, lines.Object);
        if (root is not JsonObject obj)
        {
            throw new ManifestException(at, $"not a Kubernetes object: a manifest document must be a mapping with apiVersion and kind, not {Shape(root)}");
        }

        if (inherited is { } list && !obj.ContainsKey("apiVersion") && !obj.ContainsKey("kind"))
        {
            obj.Insert(0, "apiVersion", list.ApiVersion);
            obj.Insert(1, "kind", list.Kind);
        }

        var apiVersion = obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var a) ? a : null;
        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        if (obj.TryGetPropertyValue("items", out var items))
        {
            // kubectl decodes every object with an "items" field as a list and applies its items.
            var itemKind = (apiVersion ?? "", (kind ?? "").EndsWith("List", StringComparison.Ordinal) ? kind![..^4] : "");
            switch (items)
            {
                case null:
                    return;
                case JsonArray array:
                    var children = array.ToList();
                    array.Clear();
                    for (var i = 0; i < children.Count; i++)
                    {
                        var child = children[i] ?? throw new ManifestException(new ManifestLocation(source, lines.Of($"items[{i}]")), "a list item is null");
                        Add(objects, child, lines.Under($"items[{i}]"), source, itemKind);
                    }

                    return;
                default:
                    throw new ManifestException(new ManifestLocation(source, lines.Of("items")), $"items must be a list, not {Shape(items)}");
            }
        }

        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            throw new ManifestException(at, "not a Kubernetes object: apiVersion and kind are required (strings)");
        }

        objects.Add(new ManifestObject(source, obj, lines));
    }

    private static string Shape(JsonNode? node) => node switch
    {
        JsonArray => "a list",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => "a string",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => "a number",
        JsonValue => "a boolean",
        _ => "null",
    };

    /// <summary>A deserialization error in the API server's wording where there is one.</summary>
    private static string Problem(JsonException e, string field, JsonNode? value)
    {
        var shown = value is null ? "null" : value.ToJsonString();
        var prefix = field.Length == 0 ? "" : field + ": ";
        return ConvertedTo().Match(e.Message) is { Success: true } converted
            ? $"{prefix}Invalid value: {shown}: {Expected(converted.Groups["type"].Value)}"
            : prefix + JsonToNode.Describe(e).Replace($" Path: {e.Path}", "", StringComparison.Ordinal);
    }

    private static string Expected(string dotnetType) => dotnetType.Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']') switch
    {
        "System.Int32" => "must be a 32-bit integer (from -2147483648 to 2147483647)",
        "System.Int64" => "must be a 64-bit integer",
        "System.Boolean" => "must be a boolean",
        "System.String" => "must be a string",
        "System.DateTime" or "System.DateTimeOffset" => "must be a date-time (RFC 3339, e.g. 2026-01-02T03:04:05Z)",
        var other when other.StartsWith("System.Collections.Generic.IDictionary", StringComparison.Ordinal) => "must be an object",
        var other when other.StartsWith("System.Collections.Generic.IList", StringComparison.Ordinal) => "must be a list",
        var other => $"cannot be read as {other[(other.LastIndexOf('.') + 1)..]}",
    };

    /// <summary><c>$.spec.cost['nvidia.com/gpu']</c> → [spec, cost, nvidia.com/gpu]; <c>$.spec.args[0]</c> → [spec, args, 0].</summary>
    private static List<object> Segments(string? jsonPath) =>
        [.. PathSegment().Matches(jsonPath ?? "").Select(m => m.Groups["index"].Success
            ? (object)int.Parse(m.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)
            : m.Groups["key"].Success ? m.Groups["key"].Value : m.Groups["name"].Value)];

    /// <summary>The API server's field notation: <c>spec.cost.nvidia.com/gpu</c>, <c>spec.args[0]</c>.</summary>
    private static string Render(List<object> segments)
    {
        var path = "";
        foreach (var segment in segments)
        {
            path = segment is int i ? FieldLines.Item(path, i) : FieldLines.Child(path, (string)segment);
        }

        return path;
    }

    private static JsonNode? At(JsonNode? node, List<object> segments)
    {
        foreach (var segment in segments)
        {
            node = (node, segment) switch
            {
                (JsonArray a, int i) when i < a.Count => a[i],
                (JsonObject o, string key) => o[key],
                _ => null,
            };
        }

        return node;
    }

    [GeneratedRegex(@"The JSON property '(?<name>.*)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"could not be converted to (?<type>[^ ]+?)\. ")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<key>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();
}
