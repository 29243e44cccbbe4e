using System.Text.Json.Nodes;
using Handoff.Api.Crds.Validation.Cel;

namespace Handoff.Api.Crds.Validation;

/// <summary>The <c>x-kubernetes-validations</c> rules of the schema (see <see cref="CelProgram"/> for what runs).</summary>
public sealed partial class StructuralValidator
{
    private void CompileRules(JsonObject schema, string path)
    {
        if (schema["x-kubernetes-validations"] is JsonArray rules)
        {
            var compiled = new List<(JsonObject, CelProgram)>();
            foreach (var rule in rules.OfType<JsonObject>())
            {
                var source = (string?)rule["rule"] ?? "";
                try
                {
                    compiled.Add((rule, CelProgram.Compile(source)));
                }
                catch (CelException e)
                {
                    _unsupported.Add($"{(path.Length == 0 ? "<root>" : path)}: {source}: {e.Message}");
                }
            }

            _rules[schema] = compiled;
        }

        foreach (var (name, child) in schema["properties"] as JsonObject ?? [])
        {
            if (child is JsonObject c)
            {
                CompileRules(c, Child(path, name));
            }
        }

        if (schema["additionalProperties"] is JsonObject values)
        {
            CompileRules(values, path + ".*");
        }

        if (schema["items"] is JsonObject items)
        {
            CompileRules(items, path + "[*]");
        }
    }

    /// <summary>Runs the rules of every node that has a value, a node's own rules before its children's (as the API server does).</summary>
    private void CheckRules(JsonObject schema, JsonNode? value, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            return;
        }

        if (_rules.TryGetValue(schema, out var rules))
        {
            foreach (var (rule, program) in rules)
            {
                CheckRule(schema, rule, program, value, path, errors);
            }
        }

        switch (value)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                foreach (var (key, child) in obj)
                {
                    if (properties?[key] is JsonObject ps)
                    {
                        CheckRules(ps, child, Child(path, key), errors);
                    }
                    else if (properties?.ContainsKey(key) != true && schema["additionalProperties"] is JsonObject values)
                    {
                        CheckRules(values, child, Child(path, key), errors);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    CheckRules(items, array[i], $"{path}[{i}]", errors);
                }

                break;
        }
    }

    private static void CheckRule(JsonObject schema, JsonObject rule, CelProgram program, JsonNode value, string path, List<FieldError> errors)
    {
        var field = (string?)rule["fieldPath"] is { Length: > 0 } fieldPath ? Join(path, fieldPath) : path.Length == 0 ? FieldError.NoField : path;
        var message = ((string?)rule["message"])?.Trim() is { Length: > 0 } m ? m : null;
        var type = Types(schema) is [var t] ? t : KindOf(value);
        bool valid;
        try
        {
            valid = program.Evaluate(value);
        }
        catch (CelException e)
        {
            errors.Add(FieldError.Invalid(field, BadValue.String(type), $"{e.Message} evaluating rule: {message ?? program.Source}"));
            return;
        }

        if (valid)
        {
            return;
        }

        var detail = MessageExpression(rule, value) ?? message ?? $"failed rule: {program.Source}";

        // 1.35 omits the value of an object or list (the rule's message says what is wrong with it).
        BadValue? shown = type is "object" or "array" ? null : BadValue.Of(value);
        errors.Add((string?)rule["reason"] switch
        {
            "FieldValueForbidden" => FieldError.Forbidden(field, detail),
            "FieldValueRequired" => FieldError.Required(field, detail),
            "FieldValueDuplicate" => FieldError.Duplicate(field, shown ?? new BadValue("")),
            _ => FieldError.Invalid(field, shown, detail),
        });
    }

    /// <summary>The message from <c>messageExpression</c> when it evaluates to a usable string (else the API server falls back).</summary>
    private static string? MessageExpression(JsonObject rule, JsonNode value)
    {
        if ((string?)rule["messageExpression"] is not { Length: > 0 } expression)
        {
            return null;
        }

        try
        {
            return CelProgram.Compile(expression).EvaluateString(value) is { } text && text.Trim() is { Length: > 0 } trimmed && !trimmed.Contains('\n', StringComparison.Ordinal)
                ? trimmed
                : null;
        }
        catch (CelException)
        {
            return null;
        }
    }

    /// <summary>A rule's <c>fieldPath</c> (<c>.metadata.name</c>, <c>['a.b']</c>) under the path of the node that declares it.</summary>
    private static string Join(string path, string fieldPath)
    {
        var relative = QuotedSegment().Replace(fieldPath, m => "." + m.Groups[1].Value).TrimStart('.');
        return path.Length == 0 ? relative : path + "." + relative;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\['((?:[^'\\]|\\.)*)'\]")]
    private static partial System.Text.RegularExpressions.Regex QuotedSegment();
}
