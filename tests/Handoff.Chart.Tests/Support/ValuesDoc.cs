using System.Text.RegularExpressions;

namespace Handoff.Chart.Tests.Support;

/// <summary>One documented parameter of values.yaml: the key after a <c># --</c> comment.</summary>
internal sealed record ValuesParameter(string Key, string Default, string Description)
{
    public string TableRow => $"| `{Key}` | {Default} | {Description} |";
}

/// <summary>
/// Reads the <c># -- description</c> comments of values.yaml (helm-docs style). A documented key with an inline
/// value has that value as its default; a documented block (e.g. <c>resources:</c>) shows "see values.yaml".
/// </summary>
internal static partial class ValuesDoc
{
    public const string BlockDefault = "see values.yaml";

    public static IReadOnlyList<ValuesParameter> Read(string valuesYaml, out IReadOnlyList<string> undocumented)
    {
        var parameters = new List<ValuesParameter>();
        var missing = new List<string>();
        var stack = new List<(int Indent, string Key)>();
        string? pending = null;
        int? documentedBlockIndent = null;

        var lines = valuesYaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("# --", StringComparison.Ordinal))
            {
                pending = line.TrimStart()["# --".Length..].Trim();
                continue;
            }

            var match = KeyLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var indent = match.Groups["indent"].Value.Length;
            if (documentedBlockIndent is { } blockIndent)
            {
                if (indent > blockIndent)
                {
                    continue;
                }

                documentedBlockIndent = null;
            }

            stack.RemoveAll(s => s.Indent >= indent);
            var key = string.Join('.', stack.Select(s => s.Key).Append(match.Groups["key"].Value));
            var value = match.Groups["value"].Value.Trim();
            var hasChildren = value.Length == 0 && NextKeyIndent(lines, i) > indent;
            if (pending is not null)
            {
                parameters.Add(new ValuesParameter(key, value.Length == 0 ? BlockDefault : $"`{value}`", pending));
                pending = null;
                if (hasChildren)
                {
                    documentedBlockIndent = indent;
                }

                continue;
            }

            if (hasChildren)
            {
                stack.Add((indent, match.Groups["key"].Value));
            }
            else
            {
                missing.Add(key);
            }
        }

        undocumented = missing;
        return parameters;
    }

    private static int NextKeyIndent(string[] lines, int from)
    {
        for (var j = from + 1; j < lines.Length; j++)
        {
            var t = lines[j].TrimStart();
            if (t.Length == 0 || t.StartsWith('#'))
            {
                continue;
            }

            return lines[j].Length - t.Length + (t.StartsWith("- ", StringComparison.Ordinal) ? 1 : 0);
        }

        return -1;
    }

    [GeneratedRegex(@"^(?<indent> *)(?<key>[A-Za-z0-9_]+):(?<value>( .*)?)$")]
    private static partial Regex KeyLine();
}
