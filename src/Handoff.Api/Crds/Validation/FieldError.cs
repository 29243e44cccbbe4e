using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Api.Manifests;

namespace Handoff.Api.Crds.Validation;

/// <summary>
/// One field error as the API server words it (k8s.io/apimachinery <c>field.Error</c>, 1.35): a <c>details.causes[]</c>
/// entry of a 422 Invalid answer. <see cref="Message"/> is the whole text, <c>spec.size: Invalid value: 101: ...</c>.
/// </summary>
/// <param name="Reason">The cause type: <c>FieldValueInvalid</c>, <c>FieldValueRequired</c>, <c>FieldValueTypeInvalid</c>, ...</param>
/// <param name="Field">The field path (<c>spec.args[0]</c>); <c>&lt;nil&gt;</c> for errors the API server reports without one.</param>
/// <param name="Message">The full message, starting with the field.</param>
public sealed record FieldError(string Reason, string Field, string Message)
{
    /// <summary>The field of errors about the whole object, written by the API server's nil path.</summary>
    public const string NoField = "<nil>";

    /// <summary>The message without the leading <c>field: </c>.</summary>
    public string Body => Message.StartsWith(Field + ": ", StringComparison.Ordinal) ? Message[(Field.Length + 2)..] : Message;

    public static FieldError Required(string field, string? detail = null) =>
        new("FieldValueRequired", field, $"{field}: Required value{(string.IsNullOrEmpty(detail) ? "" : ": " + detail)}");

    public static FieldError Forbidden(string field, string detail) =>
        new("FieldValueForbidden", field, $"{field}: Forbidden: {detail}");

    /// <summary><c>field: Invalid value: VALUE: detail</c>; a null <paramref name="value"/> omits the value.</summary>
    public static FieldError Invalid(string field, BadValue? value, string detail) =>
        new("FieldValueInvalid", field, $"{field}: Invalid value{Show(value)}: {detail}");

    public static FieldError TypeInvalid(string field, BadValue value, string detail) =>
        new("FieldValueTypeInvalid", field, $"{field}: Invalid value{Show(value)}: {detail}");

    public static FieldError NotSupported(string field, BadValue value, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field,
            $"{field}: Unsupported value{Show(value)}: supported values: {string.Join(", ", supported.Select(GoText.Quote))}");

    public static FieldError Duplicate(string field, BadValue value) =>
        new("FieldValueDuplicate", field, $"{field}: Duplicate value{Show(value)}");

    /// <summary>1.35: <c>Too long: may not be more than 63 bytes</c> (the value is not shown).</summary>
    public static FieldError TooLong(string field, long maxLength) =>
        new("FieldValueTooLong", field, $"{field}: Too long: may not be more than {maxLength} {(maxLength == 1 ? "byte" : "bytes")}");

    /// <summary>1.35: <c>Too many: 17: must have at most 16 items</c>.</summary>
    public static FieldError TooMany(string field, long actual, long max) =>
        new("FieldValueTooMany", field, $"{field}: Too many: {actual}: must have at most {max} {(max == 1 ? "item" : "items")}");

    private static string Show(BadValue? value) => value is { } v ? ": " + v.Text : "";
}

/// <summary>A value shown in a field error, rendered as the API server renders it.</summary>
public readonly record struct BadValue(string Text)
{
    /// <summary>A JSON value: numbers and booleans as Go's <c>%v</c>, strings as Go's <c>%q</c>, the rest as JSON.</summary>
    public static BadValue Of(JsonNode? node) => new(node switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => GoText.Quote(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoText.Number(v),
        JsonValue v => v.ToJsonString(),
        _ => GoText.Json(node),
    });

    /// <summary>A string value (<c>"object"</c>, the quoted type name of a type error).</summary>
    public static BadValue String(string value) => new(GoText.Quote(value));

    /// <summary>An integer value (a count).</summary>
    public static BadValue Integer(long value) => new(value.ToString(CultureInfo.InvariantCulture));
}

/// <summary>How Go prints values in the API server's messages.</summary>
internal static class GoText
{
    /// <summary>Go's <c>strconv.Quote</c>: double quotes, backslash escapes for quotes, backslashes and control characters.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                case < 0x20 or 0x7f: sb.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}"); break;
                default:
                    if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate
                        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse)
                    {
                        sb.Append(rune.Value > 0xFFFF ? $"\\U{rune.Value:x8}" : $"\\u{rune.Value:x4}");
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A JSON number as the API server holds it (int64, else float64) printed with Go's <c>%v</c>.</summary>
    public static string Number(JsonValue value)
    {
        var text = value.ToJsonString();
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l.ToString(CultureInfo.InvariantCulture)
            : GoNumbers.FormatG(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    /// <summary>Go's <c>json.Marshal</c> of an unstructured value: keys sorted, &lt; &gt; &amp; escaped.</summary>
    public static string Json(JsonNode? node) => Sorted(node)?.ToJsonString(s_options) ?? "null";

    private static readonly JsonSerializerOptions s_options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default };

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, Sorted(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        _ => node?.DeepClone(),
    };
}
