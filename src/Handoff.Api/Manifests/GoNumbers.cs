using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Handoff.Api.Manifests;

/// <summary>
/// Numbers as kubectl hands them to the API server. kubectl turns YAML into JSON with Go (sigs.k8s.io/yaml over
/// go-yaml v2) and then decodes it as unstructured JSON: an integer that fits a 64-bit signed integer stays one,
/// anything else becomes a float64 and is written back with Go's JSON float format (<c>1e3</c> becomes
/// <c>1000</c>, <c>1.0</c> becomes <c>1</c>, <c>1e21</c> stays <c>1e+21</c>). Doing the same here means the schema
/// and the typed models see exactly the number the API server would.
/// </summary>
internal static partial class GoNumbers
{
    /// <summary>
    /// Whether go-yaml v2 resolves a YAML plain scalar to a number: an integer (<paramref name="integer"/>, up to the
    /// uint64 range) or a float (<paramref name="floating"/>, finite).
    /// </summary>
    public static bool TryResolveYaml(string text, out Int128? integer, out double floating)
    {
        integer = null;
        floating = 0;
        if (text.Length == 0)
        {
            return false;
        }

        var first = text[0];
        if (first == '.')
        {
            // go-yaml v2 hands a scalar starting with '.' to ParseFloat (.inf and .nan are resolved before).
            return DotFloat().IsMatch(text) && TryFinite(text, out floating);
        }

        if (!char.IsAsciiDigit(first) && first is not ('+' or '-'))
        {
            return false;
        }

        // Underscores are dropped, then ParseInt(base 0), ParseUint(base 0), then a YAML-style float.
        var plain = text.Replace("_", "", StringComparison.Ordinal);
        if (TryParseGoInteger(plain, out var i))
        {
            integer = i;
            return true;
        }

        return YamlFloat().IsMatch(plain) && TryFinite(plain, out floating);
    }

    private static bool TryFinite(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>A JSON number's text as the API server receives it from kubectl.</summary>
    /// <exception cref="FormatException">the number does not fit a float64 (Go's decoder refuses it).</exception>
    public static JsonNode FromJsonText(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(d)
            ? FromDouble(d)
            : throw new FormatException($"cannot unmarshal number {text} into Go value of type float64");
    }

    /// <summary>A float64, as Go's encoding/json writes it and kubectl's unstructured decoding reads it back.</summary>
    public static JsonNode FromDouble(double value)
    {
        var text = FormatJson(value);
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && text != "-0"
            ? JsonValue.Create(l)
            : JsonNode.Parse(text)!;
    }

    /// <summary>Go's <c>json.Marshal</c> of a float64: <c>'f'</c> format between 1e-6 and 1e21, else <c>'e'</c> (<c>1e+21</c>, <c>1.5e-7</c>).</summary>
    public static string FormatJson(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        var abs = Math.Abs(value);
        var (digits, point) = ShortestDigits(abs);
        var sign = value < 0 ? "-" : "";
        if (abs < 1e-6 || abs >= 1e21)
        {
            var exponent = point - 1;
            var mantissa = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            var exponentText = exponent < 0
                ? "-" + (-exponent).ToString(CultureInfo.InvariantCulture)
                : "+" + exponent.ToString("00", CultureInfo.InvariantCulture);
            return $"{sign}{mantissa}e{exponentText}";
        }

        return sign + Positional(digits, point);
    }

    /// <summary>
    /// A map key that go-yaml resolved to a float, as sigs.k8s.io/yaml writes it: <see cref="FormatG"/> of the value as a
    /// float32 (<c>1.5</c>, <c>1000</c>, <c>1e+06</c>).
    /// </summary>
    public static string FormatFloatKey(double value)
    {
        var f = (float)value;
        return float.IsPositiveInfinity(f) ? ".inf" : float.IsNegativeInfinity(f) ? "-.inf" : FormatShortest(f, f.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c> (and <c>%v</c>): the exponent form below 1e-4 and from 1e6 on.</summary>
    public static string FormatG(double value) => FormatShortest(value, Math.Abs(value).ToString("R", CultureInfo.InvariantCulture));

    private static string FormatShortest(double value, string roundTrip)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        var (digits, point) = Split(roundTrip.TrimStart('-'));
        var sign = value < 0 ? "-" : "";
        var exponent = point - 1;
        if (exponent < -4 || exponent >= 6)
        {
            var mantissa = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            var exponentText = (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
            return $"{sign}{mantissa}e{exponentText}";
        }

        return sign + Positional(digits, point);
    }

    /// <summary>An integer as kubectl sends it: itself when it fits int64, else a float64.</summary>
    public static JsonNode FromInteger(Int128 value) =>
        value >= long.MinValue && value <= long.MaxValue ? JsonValue.Create((long)value) : FromDouble((double)value);

    /// <summary>Go's <c>strconv.ParseInt(s, 0, 64)</c>, then <c>ParseUint(s, 0, 64)</c>: sign, 0x/0o/0b prefixes, a leading 0 for octal.</summary>
    private static bool TryParseGoInteger(string s, out Int128 value)
    {
        value = 0;
        var negative = false;
        var i = 0;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            i = 1;
        }

        var body = s[i..];
        int radix;
        if (body.Length > 2 && body[0] == '0' && body[1] is 'x' or 'X')
        {
            radix = 16;
            body = body[2..];
        }
        else if (body.Length > 2 && body[0] == '0' && body[1] is 'o' or 'O')
        {
            radix = 8;
            body = body[2..];
        }
        else if (body.Length > 2 && body[0] == '0' && body[1] is 'b' or 'B')
        {
            radix = 2;
            body = body[2..];
        }
        else if (body.Length > 1 && body[0] == '0')
        {
            radix = 8;
            body = body[1..];
        }
        else
        {
            radix = 10;
        }

        if (body.Length == 0)
        {
            return false;
        }

        Int128 result = 0;
        foreach (var c in body)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return false;
            }

            result = (result * radix) + digit;
            if (result > ulong.MaxValue)
            {
                return false;
            }
        }

        value = negative ? -result : result;

        // ParseInt takes the int64 range; ParseUint (no sign) the rest up to 2^64-1.
        return value >= long.MinValue && (value <= long.MaxValue || (i == 0 && value <= ulong.MaxValue));
    }

    /// <summary>The shortest round-trip digits of a positive double and the position of the decimal point.</summary>
    private static (string Digits, int Point) ShortestDigits(double abs) => Split(abs.ToString("R", CultureInfo.InvariantCulture));

    private static (string Digits, int Point) Split(string roundTrip)
    {
        var exponent = 0;
        var e = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = roundTrip;
        if (e >= 0)
        {
            exponent = int.Parse(roundTrip[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = roundTrip[..e];
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = dot < 0 ? mantissa.Length : dot;
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        return (digits.Length == 0 ? "0" : digits, integerDigits + exponent - leadingZeros);
    }

    private static string Positional(string digits, int point)
    {
        if (point <= 0)
        {
            return "0." + new string('0', -point) + digits;
        }

        if (point >= digits.Length)
        {
            return digits + new string('0', point - digits.Length);
        }

        return new StringBuilder(digits).Insert(point, '.').ToString();
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlFloat();

    [GeneratedRegex(@"^\.[0-9]+([eE][-+]?[0-9]+)?$")]
    private static partial Regex DotFloat();
}
