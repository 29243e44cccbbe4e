using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Handoff.Api.Crds.Validation.Cel;
using Handoff.Api.Manifests;

namespace Handoff.Api.Crds.Validation;

/// <summary>
/// A CRD version's <c>openAPIV3Schema</c> applied to objects the way the API server (1.35) applies it: unknown fields
/// found or pruned, non-nullable nulls dropped and defaults applied, then the object validated with kube-openapi's
/// order and wording (type, combinators, string, format, number, list, enum, object), list-map keys checked and the
/// <c>x-kubernetes-validations</c> rules run unless an earlier error blocks them. Used by the sandbox for every CRD and
/// by <see cref="CrdValidator"/> for Handoff's own objects in <c>handoff plan</c>.
/// </summary>
public sealed partial class StructuralValidator
{
    private static readonly TimeSpan s_regexTimeout = TimeSpan.FromSeconds(1);
    private readonly Dictionary<JsonObject, List<(JsonObject Rule, CelProgram Program)>> _rules = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _unsupported = [];

    public StructuralValidator(JsonObject openApiV3Schema)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        OpenApiSchema = (JsonObject)openApiV3Schema.DeepClone();
        CompileRules(OpenApiSchema, "");
    }

    /// <summary>The schema as given in the CRD.</summary>
    public JsonObject OpenApiSchema { get; }

    /// <summary>Rules the CEL evaluator cannot run (they are skipped), as <c>path: rule: why</c>.</summary>
    public IReadOnlyList<string> UnsupportedRules => _unsupported;

    /// <summary>Validates <paramref name="obj"/> (already pruned and defaulted); the errors in the API server's order and words.</summary>
    public IReadOnlyList<FieldError> Validate(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<FieldError>();
        Check(OpenApiSchema, obj, "", errors);
        CheckListTypes(OpenApiSchema, obj, "", errors);
        if (errors.Any(e => e.Reason is "FieldValueNotSupported" or "FieldValueRequired" or "FieldValueTooLong" or "FieldValueTooMany" or "FieldValueTypeInvalid"))
        {
            errors.Add(FieldError.Invalid(FieldError.NoField, new BadValue("null"),
                "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
        }
        else
        {
            CheckRules(OpenApiSchema, obj, "", errors);
        }

        return errors;
    }

    private void Check(JsonObject schema, JsonNode? value, string path, List<FieldError> errors)
    {
        var types = Types(schema);
        var kind = KindOf(value);
        if (value is null)
        {
            if (types.Count > 0 && !IsTrue(schema, "nullable"))
            {
                errors.Add(TypeError(path, types, "null"));
            }

            CheckEnum(schema, value, path, errors);
            return;
        }

        if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")) && !(kind == "number" && types.Contains("integer") && IsJsonInteger(value)))
        {
            errors.Add(TypeError(path, types, kind));
        }

        CheckCombinators(schema, value, path, errors);
        if (kind == "string")
        {
            CheckString(schema, value.GetValue<string>(), path, errors);
        }

        if (kind is "integer" or "number")
        {
            CheckNumber(schema, (JsonValue)value, path, errors);
        }

        if (value is JsonArray array)
        {
            if (schema["items"] is JsonObject items)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    Check(items, array[i], $"{path}[{i}]", errors);
                }
            }

            if (Long(schema, "minItems") is { } minItems && array.Count < minItems)
            {
                errors.Add(FieldError.Invalid(path, BadValue.Integer(array.Count), $"{path} in body should have at least {minItems} items"));
            }

            if (Long(schema, "maxItems") is { } maxItems && array.Count > maxItems)
            {
                errors.Add(FieldError.TooMany(path, array.Count, maxItems));
            }
        }

        CheckEnum(schema, value, path, errors);
        if (value is JsonObject obj)
        {
            CheckObject(schema, obj, path, errors);
        }
    }

    private void CheckObject(JsonObject schema, JsonObject obj, string path, List<FieldError> errors)
    {
        if (Long(schema, "minProperties") is { } min && obj.Count < min)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Integer(obj.Count), $"{path} in body should have at least {min} properties"));
        }

        if (Long(schema, "maxProperties") is { } max && obj.Count > max)
        {
            errors.Add(FieldError.TooMany(path, obj.Count, max));
        }

        var properties = schema["properties"] as JsonObject;
        if (schema["additionalProperties"] is JsonObject values)
        {
            foreach (var (key, child) in obj)
            {
                if (properties?.ContainsKey(key) != true)
                {
                    Check(values, child, Child(path, key), errors);
                }
            }
        }

        if (properties is not null)
        {
            foreach (var (name, propertySchema) in properties)
            {
                if (obj.TryGetPropertyValue(name, out var child) && propertySchema is JsonObject ps)
                {
                    Check(ps, child, Child(path, name), errors);
                }
            }
        }

        foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => (string)r!))
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add(FieldError.Required(Child(path, required)));
            }
        }
    }

    private static void CheckString(JsonObject schema, string text, string path, List<FieldError> errors)
    {
        // kube-openapi stops at the first failing string check: maxLength, minLength, pattern.
        var length = text.EnumerateRunes().Count();
        if (Long(schema, "maxLength") is { } max && length > max)
        {
            errors.Add(FieldError.TooLong(path, max));
        }
        else if (Long(schema, "minLength") is { } min && length < min)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(text), $"{path} in body should be at least {min} chars long"));
        }
        else if (schema["pattern"] is JsonValue p && p.GetValue<string>() is var pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, s_regexTimeout))
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(text), $"{path} in body should match '{pattern}'"));
        }

        // Formats: the API server checks the ones it supports; Handoff's schemas use date-time (int32/int64 are ignored).
        if (schema["format"] is JsonValue f && f.GetValue<string>().Replace("-", "", StringComparison.Ordinal) == "datetime" && !IsDateTime(text))
        {
            errors.Add(FieldError.TypeInvalid(path, BadValue.Of(text), $"{path} in body must be of type date-time: {GoText.Quote(text)}"));
        }
    }

    private static void CheckNumber(JsonObject schema, JsonValue value, string path, List<FieldError> errors)
    {
        var text = value.ToJsonString();
        var isInteger = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer);
        var number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        var shown = BadValue.Of(value);
        if (Double(schema, "multipleOf") is { } factor && factor != 0 && Math.Abs(Math.IEEERemainder(number, factor)) > 1e-9)
        {
            errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be a multiple of {GoNumbers.FormatG(factor)}"));
        }

        if (Double(schema, "maximum") is { } max)
        {
            var exclusive = IsTrue(schema, "exclusiveMaximum");
            var over = isInteger ? (exclusive ? integer >= (long)max : integer > (long)max) : (exclusive ? number >= max : number > max);
            if (over)
            {
                errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be less than {(exclusive ? "" : "or equal to ")}{Bound(max, isInteger)}"));
            }
        }

        if (Double(schema, "minimum") is { } min)
        {
            var exclusive = IsTrue(schema, "exclusiveMinimum");
            var under = isInteger ? (exclusive ? integer <= (long)min : integer < (long)min) : (exclusive ? number <= min : number < min);
            if (under)
            {
                errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be greater than {(exclusive ? "" : "or equal to ")}{Bound(min, isInteger)}"));
            }
        }
    }

    /// <summary>A bound as kube-openapi prints it: as an int64 for integer values, else as a float64 (<c>%v</c>).</summary>
    private static string Bound(double bound, bool integerValue) =>
        integerValue ? ((long)bound).ToString(CultureInfo.InvariantCulture) : GoNumbers.FormatG(bound);

    private static void CheckEnum(JsonObject schema, JsonNode? value, string path, List<FieldError> errors)
    {
        if (schema["enum"] is not JsonArray { Count: > 0 } allowed || allowed.Any(a => JsonNode.DeepEquals(a, value) || SameNumber(a, value)))
        {
            return;
        }

        errors.Add(FieldError.NotSupported(path, BadValue.Of(value),
            allowed.Select(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : GoText.Json(a))));
    }

    private void CheckCombinators(JsonObject schema, JsonNode value, string path, List<FieldError> errors)
    {
        var where = path.Length == 0 ? "" : path;
        if (schema["allOf"] is JsonArray allOf)
        {
            var valid = 0;
            foreach (var alternative in allOf.OfType<JsonObject>())
            {
                var inner = new List<FieldError>();
                Check(alternative, value, path, inner);
                valid += inner.Count == 0 ? 1 : 0;
                errors.AddRange(inner);
            }

            if (valid != allOf.Count)
            {
                errors.Add(Composite($"\"{where}\" must validate all the schemas (allOf){(valid == 0 ? ". None validated" : "")}"));
            }
        }

        foreach (var keyword in new[] { "anyOf", "oneOf" })
        {
            if (schema[keyword] is not JsonArray alternatives)
            {
                continue;
            }

            var results = alternatives.OfType<JsonObject>().Select(a =>
            {
                var inner = new List<FieldError>();
                Check(a, value, path, inner);
                return inner;
            }).ToList();
            var validCount = results.Count(r => r.Count == 0);
            var best = results.Where(r => r.Count > 0).OrderBy(r => r.Count).FirstOrDefault();
            if (keyword == "anyOf" && validCount == 0)
            {
                errors.Add(Composite($"\"{where}\" must validate at least one schema (anyOf)"));
                errors.AddRange(best ?? []);
            }
            else if (keyword == "oneOf" && validCount != 1)
            {
                errors.Add(Composite($"\"{where}\" must validate one and only one schema (oneOf). {(validCount == 0 ? "Found none valid" : $"Found {validCount} valid alternatives")}"));
                errors.AddRange(validCount == 0 ? best ?? [] : []);
            }
        }

        if (schema["not"] is JsonObject not)
        {
            var inner = new List<FieldError>();
            Check(not, value, path, inner);
            if (inner.Count == 0)
            {
                errors.Add(Composite($"\"{where}\" must not validate the schema (not)"));
            }
        }
    }

    /// <summary>kube-openapi's composite errors carry no field: the API server reports them on the nil path with an empty value.</summary>
    private static FieldError Composite(string message) => FieldError.Invalid(FieldError.NoField, BadValue.String(""), message);

    private static FieldError TypeError(string path, IReadOnlyList<string> types, string actual) =>
        FieldError.TypeInvalid(path, BadValue.String(actual), $"{path} in body must be of type {string.Join(",", types)}: {GoText.Quote(actual)}");

    /// <summary><c>x-kubernetes-list-type</c>: map keys and set items must be unique.</summary>
    private static void CheckListTypes(JsonObject schema, JsonNode? value, string path, List<FieldError> errors)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    var childSchema = (schema["properties"] as JsonObject)?[key] as JsonObject ?? schema["additionalProperties"] as JsonObject;
                    if (childSchema is not null)
                    {
                        CheckListTypes(childSchema, child, Child(path, key), errors);
                    }
                }

                break;
            case JsonArray array:
                var listType = (schema["x-kubernetes-list-type"] as JsonValue)?.GetValue<string>();
                if (listType is "map" or "set")
                {
                    var keys = (schema["x-kubernetes-list-map-keys"] as JsonArray ?? []).Select(k => (string)k!).ToList();
                    var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (var i = 0; i < array.Count; i++)
                    {
                        var identity = listType == "set" ? array[i]
                            : new JsonObject(keys.Where(k => array[i] is JsonObject o && o.ContainsKey(k)).Select(k => KeyValuePair.Create(k, array[i]![k]?.DeepClone())));
                        var text = GoText.Json(identity);
                        seen[text] = seen.GetValueOrDefault(text) + 1;
                        if (seen[text] == 2)
                        {
                            errors.Add(FieldError.Duplicate($"{path}[{i}]", BadValue.Of(identity)));
                        }
                    }
                }

                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        CheckListTypes(items, array[i], $"{path}[{i}]", errors);
                    }
                }

                break;
        }
    }

    private static bool IsDateTime(string text) => DateTimeRfc3339().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _);

    private static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static IReadOnlyList<string> Types(JsonObject schema) =>
        IsTrue(schema, "x-kubernetes-int-or-string") ? ["integer", "string"]
        : schema["type"] is JsonValue t && t.GetValue<string>() is { Length: > 0 } type ? [type]
        : [];

    internal static string KindOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
        _ => "null",
    };

    /// <summary>swag.IsFloat64AJSONInteger: a float without a fraction, within JSON's exact integer range.</summary>
    private static bool IsJsonInteger(JsonNode value) =>
        double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
        && Math.Abs(d) <= 9007199254740992 && Math.Floor(d) == d;

    private static bool SameNumber(JsonNode? a, JsonNode? b) =>
        a is JsonValue x && b is JsonValue y && x.GetValueKind() == JsonValueKind.Number && y.GetValueKind() == JsonValueKind.Number
        && double.Parse(x.ToJsonString(), CultureInfo.InvariantCulture) == double.Parse(y.ToJsonString(), CultureInfo.InvariantCulture);

    internal static bool IsTrue(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static long? Long(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue v && v.TryGetValue<long>(out var l) ? l
        : schema[keyword] is JsonValue d && d.TryGetValue<double>(out var x) ? (long)x
        : schema[keyword] is JsonValue e && e.GetValueKind() == JsonValueKind.Number ? long.Parse(e.ToJsonString(), CultureInfo.InvariantCulture)
        : null;

    private static double? Double(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeRfc3339();
}
