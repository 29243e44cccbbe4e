using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Handoff.Api.Manifests;

/// <summary>
/// One YAML document to JSON the way kubectl converts it (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1 typing): a plain
/// <c>8</c> is a number, <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>/<c>y</c>/<c>n</c> and <c>true</c>/<c>false</c> (any of
/// three casings) are booleans, <c>~</c>/<c>null</c>/empty are null, <c>0x10</c>/<c>010</c>/<c>0o17</c>/<c>0b11</c> are
/// integers, <c>1e3</c> is 1000, quoted and block scalars and timestamps stay strings. Map keys are typed the same way
/// and then written as strings (<c>y:</c> becomes <c>"true"</c>). Anchors, aliases and <c>&lt;&lt;</c> merges work.
/// Where kubectl silently keeps the last of two equal keys, this refuses the document: a manifest that says two
/// things is a mistake, and plan and the sandbox must not each guess.
/// </summary>
internal sealed class YamlToJson
{
    private const string TagPrefix = "tag:yaml.org,2002:";
    private readonly IParser _parser;
    private readonly string _source;
    private readonly int _lineOffset;
    private readonly Dictionary<string, JsonNode?> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);
    private int _lastLine;

    private YamlToJson(string text, string source, int firstLine)
    {
        _parser = new Parser(new StringReader(text));
        _source = source;
        _lineOffset = firstLine - 1;
        _lastLine = firstLine;
    }

    /// <summary>
    /// Converts one document (the text between two <c>---</c> lines, starting at <paramref name="firstLine"/> of the
    /// source). Returns null for a document without content (empty, comments, <c>~</c>).
    /// </summary>
    public static (JsonNode Root, FieldLines Lines)? Convert(string text, string source, int firstLine)
    {
        var converter = new YamlToJson(text, source, firstLine);
        try
        {
            return converter.ConvertDocument();
        }
        catch (YamlException e)
        {
            throw new ManifestException(new ManifestLocation(source, converter.Line(e.Start)), $"malformed YAML: {Describe(e)}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's parser throws this, not a YamlException, at some unexpected ends (e.g. of a flow collection).
            throw new ManifestException(new ManifestLocation(source, converter._lastLine),
                "malformed YAML: cannot parse the document after this line (an unclosed '{', '[' or quote?)", e);
        }
    }

    private (JsonNode Root, FieldLines Lines)? ConvertDocument()
    {
        _parser.Consume<StreamStart>();
        if (_parser.Accept<StreamEnd>(out _))
        {
            return null;
        }

        _parser.Consume<DocumentStart>();
        var root = ReadNode("");
        _parser.Consume<DocumentEnd>();
        if (_parser.Accept<DocumentStart>(out var next))
        {
            // kubectl reads only the first document of a chunk and drops the rest without a word.
            throw new ManifestException(new ManifestLocation(_source, Line(next.Start)),
                "content after the document end marker '...': start a new document with '---' (kubectl would silently ignore it)");
        }

        return root is null ? null : (root, new FieldLines(_lines));
    }

    private JsonNode? ReadNode(string path)
    {
        var start = _parser.Current ?? throw new YamlException("unexpected end of the YAML stream");
        _lastLine = Line(start.End);

        // A map value is at its key's line (recorded by the caller); list items and the root at their own.
        _lines.TryAdd(path, Line(start.Start));
        switch (start)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                return _anchors.TryGetValue(alias.Value.Value, out var anchored)
                    ? anchored?.DeepClone()
                    : throw new ManifestException(new ManifestLocation(_source, Line(alias.Start)), $"unknown anchor '{alias.Value.Value}' referenced");
            case Scalar scalar:
                _parser.MoveNext();
                return Remember(scalar.Anchor, ScalarValue(scalar));
            case SequenceStart sequence:
                {
                    _parser.MoveNext();
                    var array = new JsonArray();
                    while (!_parser.TryConsume<SequenceEnd>(out _))
                    {
                        array.Add(ReadNode(FieldLines.Item(path, array.Count)));
                    }

                    return Remember(sequence.Anchor, array);
                }

            case MappingStart mapping:
                _parser.MoveNext();
                return Remember(mapping.Anchor, ReadMapping(path));
            default:
                throw new YamlException(start.Start, start.End, $"unexpected {start.GetType().Name}");
        }
    }

    private JsonObject ReadMapping(string path)
    {
        var obj = new JsonObject();
        var explicitKeys = new HashSet<string>(StringComparer.Ordinal);
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var keyEvent = _parser.Current!;
            if (keyEvent is Scalar { Style: ScalarStyle.Plain, Value: "<<" } && keyEvent is Scalar { Tag.IsEmpty: true })
            {
                _parser.MoveNext();
                Merge(obj, ReadNode(path), keyEvent.Start);
                continue;
            }

            var key = KeyText(keyEvent);
            var childPath = FieldLines.Child(path, key);
            _lines[childPath] = Line(keyEvent.Start);
            if (!explicitKeys.Add(key))
            {
                throw new ManifestException(new ManifestLocation(_source, Line(keyEvent.Start)),
                    $"duplicate key \"{key}\"{(path.Length == 0 ? "" : $" in {path}")} (kubectl would keep only the last value)");
            }

            obj[key] = ReadNode(childPath);
        }

        return obj;
    }

    /// <summary>go-yaml v2's merge: a mapping, or a list of mappings where earlier ones win; later explicit keys override.</summary>
    private void Merge(JsonObject target, JsonNode? merged, Mark at)
    {
        var sources = merged switch
        {
            JsonObject single => [single],
            JsonArray list when list.All(i => i is JsonObject) => list.Reverse().Cast<JsonObject>().ToList(),
            _ => throw new ManifestException(new ManifestLocation(_source, Line(at)), "map merge requires a map or a sequence of maps as the value"),
        };
        foreach (var source in sources)
        {
            foreach (var (key, value) in source)
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>A map key as sigs.k8s.io/yaml writes it into JSON (typed first, then printed as a string).</summary>
    private string KeyText(ParsingEvent keyEvent)
    {
        var at = new ManifestLocation(_source, Line(keyEvent.Start));
        JsonNode? key;
        switch (keyEvent)
        {
            case Scalar scalar:
                _parser.MoveNext();
                if (IsPlain(scalar) && Resolve(scalar.Value) is { Kind: PlainKind.Float } f)
                {
                    Remember(scalar.Anchor, JsonValue.Create(scalar.Value));
                    return GoNumbers.FormatFloatKey(f.Float);
                }

                key = Remember(scalar.Anchor, ScalarValue(scalar, isKey: true));
                break;
            case AnchorAlias alias:
                _parser.MoveNext();
                key = _anchors.TryGetValue(alias.Value.Value, out var anchored)
                    ? anchored
                    : throw new ManifestException(at, $"unknown anchor '{alias.Value.Value}' referenced");
                break;
            default:
                throw new ManifestException(at, "invalid map key: a key must be a scalar (kubectl cannot convert it to JSON)");
        }

        return key switch
        {
            null => throw new ManifestException(at, "a null map key cannot be converted to JSON"),
            JsonValue v => v.ToJsonString() is var json && json.StartsWith('"') ? v.GetValue<string>() : json,
            _ => throw new ManifestException(at, "invalid map key: a key must be a scalar (kubectl cannot convert it to JSON)"),
        };
    }

    private JsonNode? ScalarValue(Scalar scalar, bool isKey = false)
    {
        var at = new ManifestLocation(_source, Line(scalar.Start));
        var tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        if (IsPlain(scalar))
        {
            return ToJson(Resolve(scalar.Value), scalar.Value, at, isKey);
        }

        if (tag.Length == 0 || !tag.StartsWith(TagPrefix, StringComparison.Ordinal))
        {
            // Quoted and block scalars are strings; so are values with tags go-yaml does not resolve (e.g. !custom).
            return JsonValue.Create(scalar.Value);
        }

        var expected = tag[TagPrefix.Length..];
        if (expected is "str" or "binary" or "timestamp")
        {
            return JsonValue.Create(scalar.Value);
        }

        var resolved = Resolve(scalar.Value);
        var matches = (expected, resolved.Kind) switch
        {
            ("int", PlainKind.Integer) or ("float", PlainKind.Integer or PlainKind.Float or PlainKind.NotFinite) or
                ("bool", PlainKind.Bool) or ("null", PlainKind.Null) => true,
            ("int" or "float" or "bool" or "null", _) => false,
            _ => true,
        };
        return matches
            ? ToJson(resolved, scalar.Value, at, isKey)
            : throw new ManifestException(at, $"cannot decode !!{KindTag(resolved.Kind)} `{scalar.Value}` as a !!{expected}");
    }

    private static bool IsPlain(Scalar scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && (scalar.Tag.IsEmpty || scalar.Tag.Value == "!");

    private static JsonNode? ToJson(PlainValue value, string text, ManifestLocation at, bool isKey) => value.Kind switch
    {
        PlainKind.Null => null,
        PlainKind.Bool => JsonValue.Create(value.Bool),
        PlainKind.Integer => isKey ? JsonValue.Create(value.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture)) : GoNumbers.FromInteger(value.Integer),
        PlainKind.Float => GoNumbers.FromDouble(value.Float),
        PlainKind.NotFinite when isKey => JsonValue.Create(text.ToLowerInvariant().TrimStart('+')),
        PlainKind.NotFinite => throw new ManifestException(at, $"{text} cannot be converted to JSON (kubectl: json: unsupported value)"),
        _ => JsonValue.Create(text),
    };

    private static string KindTag(PlainKind kind) => kind switch
    {
        PlainKind.Null => "null",
        PlainKind.Bool => "bool",
        PlainKind.Integer => "int",
        PlainKind.Float or PlainKind.NotFinite => "float",
        _ => "str",
    };

    /// <summary>go-yaml v2's resolution of a plain scalar (YAML 1.1 booleans and nulls, Go integer syntax, floats).</summary>
    private static PlainValue Resolve(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return new PlainValue(PlainKind.Null);
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                return new PlainValue(PlainKind.Bool, Bool: true);
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                return new PlainValue(PlainKind.Bool, Bool: false);
            case ".nan" or ".NaN" or ".NAN" or ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF":
                return new PlainValue(PlainKind.NotFinite);
        }

        if (GoNumbers.TryResolveYaml(text, out var integer, out var floating))
        {
            return integer is { } i ? new PlainValue(PlainKind.Integer, Integer: i) : new PlainValue(PlainKind.Float, Float: floating);
        }

        return new PlainValue(PlainKind.String);
    }

    private T Remember<T>(AnchorName anchor, T node)
        where T : JsonNode?
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }

        return node;
    }

    private int Line(Mark mark) => _lineOffset + (int)Math.Max(1, mark.Line);

    /// <summary>YamlDotNet's message without its position prefix (the location is reported separately).</summary>
    private static string Describe(YamlException e)
    {
        var message = e.Message;
        var dash = message.IndexOf(") - (", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && dash >= 0)
        {
            var end = message.IndexOf("):", dash + 5, StringComparison.Ordinal);
            message = end >= 0 ? message[(end + 2)..] : message;
        }

        var inner = e.InnerException is { } i && i.Message != e.Message ? $": {i.Message}" : "";
        return (message.Trim() + inner).TrimEnd('.');
    }

    private enum PlainKind
    {
        Null,
        Bool,
        Integer,
        Float,
        NotFinite,
        String,
    }

    private readonly record struct PlainValue(PlainKind Kind, bool Bool = false, Int128 Integer = default, double Float = 0);
}
