using System.Globalization;
using System.Text;

namespace Handoff.Api.Crds.Validation.Cel;

internal enum CelTokenKind
{
    Identifier,
    Int,
    Uint,
    Double,
    String,
    Operator,
    End,
}

internal readonly record struct CelToken(CelTokenKind Kind, string Text, object? Value, int Position);

/// <summary>Splits a CEL expression into tokens (identifiers, numbers, quoted and raw strings, operators).</summary>
internal static class CelLexer
{
    private static readonly string[] s_operators =
        ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"];

    public static List<CelToken> Tokenize(string text)
    {
        var tokens = new List<CelToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                if (c is 'r' or 'R' && i + 1 < text.Length && text[i + 1] is '\'' or '"')
                {
                    tokens.Add(new CelToken(CelTokenKind.String, "", ReadString(text, ref i, raw: true), start));
                    continue;
                }

                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new CelToken(CelTokenKind.Identifier, text[start..i], null, start));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }

            if (c is '\'' or '"')
            {
                tokens.Add(new CelToken(CelTokenKind.String, "", ReadString(text, ref i, raw: false), start));
                continue;
            }

            var op = s_operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
                ?? throw new CelException($"Syntax error: token recognition error at: '{c}' (position {i})");
            if (op == "." && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }

            tokens.Add(new CelToken(CelTokenKind.Operator, op, null, start));
            i += op.Length;
        }

        tokens.Add(new CelToken(CelTokenKind.End, "", null, text.Length));
        return tokens;
    }

    private static CelToken ReadNumber(string text, ref int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
        {
            i += 2;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                i++;
            }

            var hex = long.Parse(text.AsSpan(start + 2, i - start - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return Suffixed(text, ref i, start, hex);
        }

        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        var isDouble = false;
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            isDouble = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            isDouble = true;
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        var literal = text[start..i];
        return isDouble
            ? new CelToken(CelTokenKind.Double, literal, double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture), start)
            : Suffixed(text, ref i, start, long.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var l)
                ? l
                : throw new CelException($"Syntax error: invalid int literal {literal}"));
    }

    private static CelToken Suffixed(string text, ref int i, int start, long value)
    {
        if (i < text.Length && text[i] is 'u' or 'U')
        {
            i++;
            return new CelToken(CelTokenKind.Uint, text[start..i], value, start);
        }

        return new CelToken(CelTokenKind.Int, text[start..i], value, start);
    }

    private static string ReadString(string text, ref int i, bool raw)
    {
        if (raw)
        {
            i++;
        }

        var quote = text[i];
        var triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
        var delimiter = triple ? new string(quote, 3) : quote.ToString();
        i += delimiter.Length;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw new CelException("Syntax error: unterminated string literal");
            }

            if (string.CompareOrdinal(text, i, delimiter, 0, delimiter.Length) == 0)
            {
                i += delimiter.Length;
                return sb.ToString();
            }

            var c = text[i++];
            if (c != '\\' || raw)
            {
                sb.Append(c);
                continue;
            }

            var e = text[i++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\' or '\'' or '"' or '`' or '?': sb.Append(e); break;
                case 'x':
                    sb.Append((char)int.Parse(text.AsSpan(i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                case 'u':
                    sb.Append((char)int.Parse(text.AsSpan(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default:
                    throw new CelException($"Syntax error: invalid escape sequence \\{e}");
            }
        }
    }
}

/// <summary>A CEL expression that cannot be parsed, or an evaluation error (no such key, no matching overload, ...).</summary>
public sealed class CelException : Exception
{
    public CelException()
    {
    }

    public CelException(string message)
        : base(message)
    {
    }

    public CelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
