using System.Text.RegularExpressions;

namespace Handoff.Api.Tests.Crds;

/// <summary>
/// There is no CEL interpreter here, so the tests understand exactly one rule shape, the one the generator writes
/// for map keys: <c>self.all(k, k.matches('REGEX'))</c>. Any other rule fails the test that meets it, so a new
/// rule cannot be silently skipped. The regex is then checked with .NET's engine (the API server uses RE2; the
/// patterns use only syntax both share).
/// </summary>
internal static partial class CelKeyRule
{
    public static string Parse(string rule)
    {
        var match = KeyRule().Match(rule);
        Assert.True(match.Success, $"The tests cannot evaluate the CEL rule '{rule}': only self.all(k, k.matches('...')) is emulated.");
        return match.Groups["re"].Value.Replace("\\\\", "\\", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^self\.all\(k, k\.matches\('(?<re>[^']*)'\)\)$")]
    private static partial Regex KeyRule();
}
