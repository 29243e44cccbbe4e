using System.Text.RegularExpressions;

namespace Handoff.Api.Tests.Crds;

/// <summary>
/// The map-key rule shape the generator writes, <c>self.all(k, k.matches('REGEX'))</c>, for the JSON Schema oracle
/// (which expresses it as <c>propertyNames</c>). The regex is checked with .NET's engine (the API server uses RE2;
/// the patterns use only syntax both share).
/// </summary>
internal static partial class CelKeyRule
{
    public static bool TryParse(string rule, out string pattern)
    {
        var match = KeyRule().Match(rule);
        pattern = match.Success ? match.Groups["re"].Value.Replace("\\\\", "\\", StringComparison.Ordinal) : "";
        return match.Success;
    }

    public static string Parse(string rule)
    {
        Assert.True(TryParse(rule, out var pattern), $"'{rule}' is not the map-key rule self.all(k, k.matches('...')).");
        return pattern;
    }

    [GeneratedRegex(@"^self\.all\(k, k\.matches\('(?<re>[^']*)'\)\)$")]
    private static partial Regex KeyRule();
}
