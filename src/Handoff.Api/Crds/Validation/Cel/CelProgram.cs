using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Handoff.Api.Crds.Validation.Cel;

/// <summary>
/// A compiled <c>x-kubernetes-validations</c> rule: the CEL language of the API server without its type checker and
/// cost limits (those are the API server's to enforce when the CRD is installed). It covers literals, arithmetic,
/// comparisons, logic with CEL's error absorption, <c>?:</c>, <c>in</c>, field selection and <c>has()</c>, indexing,
/// list and map literals, the macros <c>all</c>/<c>exists</c>/<c>exists_one</c>/<c>filter</c>/<c>map</c> and the
/// functions <c>size</c>, <c>matches</c>, <c>startsWith</c>, <c>endsWith</c>, <c>contains</c>, <c>lowerAscii</c>,
/// <c>upperAscii</c>, <c>int</c>, <c>uint</c>, <c>double</c>, <c>string</c>. Anything else is a <see cref="CelException"/>.
/// </summary>
public sealed class CelProgram
{
    private static readonly TimeSpan s_regexTimeout = TimeSpan.FromSeconds(1);
    private readonly CelNode _root;

    private CelProgram(string source, CelNode root)
    {
        Source = source;
        _root = root;
    }

    public string Source { get; }

    /// <exception cref="CelException">the rule is not valid CEL.</exception>
    public static CelProgram Compile(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new CelProgram(rule, CelParser.Parse(rule));
    }

    /// <summary>Evaluates the rule with <c>self</c> bound to <paramref name="self"/>.</summary>
    /// <exception cref="CelException">an evaluation error (the API server reports it as <c>... evaluating rule: ...</c>).</exception>
    public bool Evaluate(JsonNode? self) =>
        Eval(_root, new Dictionary<string, object?>(StringComparer.Ordinal) { ["self"] = FromJson(self) }) is bool b
            ? b
            : throw new CelException("no such overload: the rule does not evaluate to a bool");

    /// <summary>Evaluates a <c>messageExpression</c>: null when it is not a string.</summary>
    /// <exception cref="CelException">an evaluation error.</exception>
    public string? EvaluateString(JsonNode? self) =>
        Eval(_root, new Dictionary<string, object?>(StringComparer.Ordinal) { ["self"] = FromJson(self) }) as string;

    /// <summary>A JSON value as a CEL value: null, bool, int (long), double, string, list, map.</summary>
    internal static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => (object)kv.Key, kv => FromJson(kv.Value)),
        JsonArray a => a.Select(FromJson).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? (object)l
                : double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };

    private static object? Eval(CelNode node, Dictionary<string, object?> scope) => node switch
    {
        CelLiteral literal => literal.Value,
        CelIdent ident => scope.TryGetValue(ident.Name, out var value) ? value : throw new CelException($"undeclared reference to '{ident.Name}'"),
        CelSelect select => Select(Eval(select.Operand, scope), select.Field, select.TestOnly),
        CelIndex index => Index(Eval(index.Operand, scope), Eval(index.Index, scope)),
        CelList list => list.Items.Select(i => Eval(i, scope)).ToList(),
        CelMap map => map.Entries.ToDictionary(e => Eval(e.Key, scope) ?? throw new CelException("unsupported key type: null"), e => Eval(e.Value, scope)),
        CelUnary { Operator: "!" } not => !Bool(Eval(not.Operand, scope)),
        CelUnary negate => Eval(negate.Operand, scope) switch
        {
            long l => (object)checked(-l),
            double d => -d,
            var other => throw NoOverload("-", other),
        },
        CelBinary { Operator: "&&" or "||" } logic => Logic(logic, scope),
        CelBinary binary => Binary(binary.Operator, Eval(binary.Left, scope), Eval(binary.Right, scope)),
        CelConditional c => Bool(Eval(c.Condition, scope)) ? Eval(c.Then, scope) : Eval(c.Else, scope),
        CelMacro macro => Macro(macro, scope),
        CelCall call => Call(call, scope),
        _ => throw new CelException($"unsupported expression {node.GetType().Name}"),
    };

    /// <summary>CEL's commutative logic: an error on one side is absorbed when the other side decides.</summary>
    private static bool Logic(CelBinary logic, Dictionary<string, object?> scope)
    {
        var decisive = logic.Operator == "||";
        CelException? error = null;
        foreach (var side in new[] { logic.Left, logic.Right })
        {
            try
            {
                if (Bool(Eval(side, scope)) == decisive)
                {
                    return decisive;
                }
            }
            catch (CelException e)
            {
                error ??= e;
            }
        }

        return error is null ? !decisive : throw error;
    }

    private static object? Select(object? operand, string field, bool testOnly) => operand switch
    {
        Dictionary<object, object?> map when testOnly => map.ContainsKey(field),
        Dictionary<object, object?> map => map.TryGetValue(field, out var value) ? value : throw new CelException($"no such key: {field}"),
        _ => throw new CelException($"no such key: {field}"),
    };

    private static object? Index(object? operand, object? index) => (operand, index) switch
    {
        (List<object?> list, long i) => i >= 0 && i < list.Count ? list[(int)i] : throw new CelException($"index out of bounds: {i}"),
        (Dictionary<object, object?> map, not null) => map.TryGetValue(index, out var value) ? value : throw new CelException($"no such key: {index}"),
        _ => throw NoOverload("_[_]", operand, index),
    };

    private static object? Macro(CelMacro macro, Dictionary<string, object?> scope)
    {
        var items = Eval(macro.Range, scope) switch
        {
            List<object?> list => list,
            Dictionary<object, object?> map => [.. map.Keys],
            var other => throw NoOverload(macro.Name, other),
        };
        var inner = new Dictionary<string, object?>(scope, StringComparer.Ordinal);
        bool Test(object? item)
        {
            inner[macro.Variable] = item;
            return Bool(Eval(macro.Body, inner));
        }

        switch (macro.Name)
        {
            case "all":
                return MacroLogic(items, Test, decisive: false);
            case "exists":
                return MacroLogic(items, Test, decisive: true);
            case "exists_one":
                return items.Count(Test) == 1;
            case "filter":
                return items.Where(Test).ToList();
            default:
                var mapped = new List<object?>();
                foreach (var item in items.Where(Test))
                {
                    inner[macro.Variable] = item;
                    mapped.Add(Eval(macro.Transform!, inner));
                }

                return mapped;
        }
    }

    /// <summary><c>all</c> and <c>exists</c> with the error absorption of <c>&amp;&amp;</c> and <c>||</c>.</summary>
    private static bool MacroLogic(List<object?> items, Func<object?, bool> test, bool decisive)
    {
        CelException? error = null;
        foreach (var item in items)
        {
            try
            {
                if (test(item) == decisive)
                {
                    return decisive;
                }
            }
            catch (CelException e)
            {
                error ??= e;
            }
        }

        return error is null ? !decisive : throw error;
    }

    private static object? Call(CelCall call, Dictionary<string, object?> scope)
    {
        var target = call.Target is null ? null : Eval(call.Target, scope);
        var args = call.Args.Select(a => Eval(a, scope)).ToList();
        if (call.Target is null && args.Count == 1)
        {
            // Global forms: size(x), int(x), string(x), ...
            (target, args) = (args[0], []);
        }

        return (call.Function, target, args.Count) switch
        {
            ("size", string s, 0) => (long)s.EnumerateRunes().Count(),
            ("size", List<object?> l, 0) => (long)l.Count,
            ("size", Dictionary<object, object?> m, 0) => (long)m.Count,
            ("matches", string s, 1) when args[0] is string re => Regex.IsMatch(s, re, RegexOptions.None, s_regexTimeout),
            ("startsWith", string s, 1) when args[0] is string p => s.StartsWith(p, StringComparison.Ordinal),
            ("endsWith", string s, 1) when args[0] is string p => s.EndsWith(p, StringComparison.Ordinal),
            ("contains", string s, 1) when args[0] is string p => s.Contains(p, StringComparison.Ordinal),
            ("lowerAscii", string s, 0) => string.Concat(s.Select(c => char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : c)),
            ("upperAscii", string s, 0) => string.Concat(s.Select(c => char.IsAsciiLetterLower(c) ? char.ToUpperInvariant(c) : c)),
            ("int", long l, 0) => l,
            ("int", double d, 0) => checked((long)Math.Truncate(d)),
            ("int", string s, 0) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : throw new CelException($"cannot convert '{s}' to int"),
            ("uint", long l, 0) when l >= 0 => (ulong)l,
            ("double", long l, 0) => (double)l,
            ("double", double d, 0) => d,
            ("double", string s, 0) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new CelException($"cannot convert '{s}' to double"),
            ("string", string s, 0) => s,
            ("string", long l, 0) => l.ToString(CultureInfo.InvariantCulture),
            ("string", bool b, 0) => b ? "true" : "false",
            _ => throw NoOverload(call.Function, [target, .. args]),
        };
    }

    private static object? Binary(string op, object? left, object? right)
    {
        switch (op)
        {
            case "==":
                return CelEquals(left, right);
            case "!=":
                return !CelEquals(left, right);
            case "in":
                return right switch
                {
                    List<object?> list => list.Any(i => CelEquals(left, i)),
                    Dictionary<object, object?> map => left is not null && map.Keys.Any(k => CelEquals(left, k)),
                    _ => throw NoOverload("@in", left, right),
                };
            case "<" or "<=" or ">" or ">=":
                var order = Compare(left, right) ?? throw NoOverload(op, left, right);
                return op switch
                {
                    "<" => order < 0,
                    "<=" => order <= 0,
                    ">" => order > 0,
                    _ => order >= 0,
                };
        }

        return (op, left, right) switch
        {
            ("+", long a, long b) => checked(a + b),
            ("-", long a, long b) => checked(a - b),
            ("*", long a, long b) => checked(a * b),
            ("/", long a, long b) => b == 0 ? throw new CelException("division by zero") : a / b,
            ("%", long a, long b) => b == 0 ? throw new CelException("modulus by zero") : a % b,
            ("+", double a, double b) => a + b,
            ("-", double a, double b) => a - b,
            ("*", double a, double b) => a * b,
            ("/", double a, double b) => a / b,
            ("+", string a, string b) => a + b,
            ("+", List<object?> a, List<object?> b) => a.Concat(b).ToList(),
            _ => throw NoOverload(op, left, right),
        };
    }

    private static bool CelEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => CelEquals(p.First, p.Second)),
        (Dictionary<object, object?> x, Dictionary<object, object?> y) =>
            x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && CelEquals(kv.Value, v)),
        _ when IsNumber(a) && IsNumber(b) => Compare(a, b) == 0,
        _ => a.Equals(b),
    };

    private static bool IsNumber(object? value) => value is long or ulong or double;

    /// <summary>Orders numbers across int, uint and double (as CEL does), strings, bools; null when they do not compare.</summary>
    private static int? Compare(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => Math.Sign(string.CompareOrdinal(x, y)),
        (bool x, bool y) => x.CompareTo(y),
        _ when IsNumber(a) && IsNumber(b) => ToDecimal(a) is { } x && ToDecimal(b) is { } y
            ? x.CompareTo(y)
            : Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
        _ => null,
    };

    private static decimal? ToDecimal(object? number) => number switch
    {
        long l => l,
        ulong u => u,
        double d when double.IsFinite(d) && Math.Abs(d) < 7.9e28 => (decimal)d,
        _ => null,
    };

    private static bool Bool(object? value) => value as bool? ?? throw new CelException($"no such overload: expected a bool, got {TypeName(value)}");

    private static CelException NoOverload(string function, params object?[] args) =>
        new($"no such overload: {function}({string.Join(", ", args.Select(TypeName))})");

    private static string TypeName(object? value) => value switch
    {
        null => "null_type",
        bool => "bool",
        long => "int",
        ulong => "uint",
        double => "double",
        string => "string",
        List<object?> => "list",
        Dictionary<object, object?> => "map",
        _ => value.GetType().Name,
    };
}
