using System.Text;
using Handoff.Testing;

namespace Handoff.Operator.Tests.Unit;

/// <summary>
/// docs/operator.md "Running it": the flag table and the log event table are generated from the binder's flags (whose
/// text --help prints: checked here, in OperatorOptionsTests and on the real binary) and from <see cref="Log"/>, so they
/// cannot drift. With <c>HANDOFF_UPDATE_DOCS=1</c> the test rewrites them instead of failing.
/// </summary>
public sealed class OperatorDocsTests
{
    private const string UpdateVariable = "HANDOFF_UPDATE_DOCS";

    private static string DocPath => Path.Combine(RepoPaths.Root, "docs", "operator.md");

    [Fact]
    public void The_flag_table_of_the_docs_is_the_one_help_prints()
    {
        var help = OperatorOptionsTests.Normalize(OperatorOptionsBinder.Usage);
        Assert.All(OperatorOptionsBinder.Flags, flag => Assert.Contains($"{flag.Name} <{flag.ValueName}> {flag.HelpText}", help, StringComparison.Ordinal));
        CheckSection("flags", FlagTable());
    }

    [Fact]
    public void The_log_event_table_of_the_docs_lists_every_log_line() => CheckSection("log-events", LogTable());

    internal static string FlagTable()
    {
        var table = new StringBuilder("| flag | environment variable | default | what it sets |\n| --- | --- | --- | --- |\n");
        foreach (var flag in OperatorOptionsBinder.Flags)
        {
            table.Append($"| `{flag.Name} {Cell(flag.ValueName)}` | {string.Join(", then ", flag.EnvironmentVariables.Select(v => $"`{v}`"))} | {Cell(flag.Default)} | {Cell(flag.Description)} |\n");
        }

        return table.ToString();
    }

    internal static string LogTable()
    {
        var table = new StringBuilder("| event id | level | name | message |\n| --- | --- | --- | --- |\n");
        foreach (var (name, id, level, message) in LogTests.Messages)
        {
            table.Append($"| {id} | {level} | `{name}` | {Cell(message)} |\n");
        }

        return table.ToString();
    }

    // A pipe inside a table cell (even in a code span) ends the cell unless escaped.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static void CheckSection(string name, string expected)
    {
        var begin = $"<!-- BEGIN {name}: generated, checked by OperatorDocsTests -->\n";
        var end = $"<!-- END {name} -->";
        var doc = File.ReadAllText(DocPath);
        var start = doc.IndexOf(begin, StringComparison.Ordinal);
        var stop = doc.IndexOf(end, StringComparison.Ordinal);
        Assert.True(start >= 0 && stop > start, $"docs/operator.md has no section between '{begin.Trim()}' and '{end}'");
        var actual = doc[(start + begin.Length)..stop];
        if (actual == expected)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(DocPath, doc[..(start + begin.Length)] + expected + doc[stop..]);
            return;
        }

        Assert.Fail($"docs/operator.md section '{name}' is out of date. Regenerate with: {UpdateVariable}=1 dotnet test tests/Handoff.Operator.Tests\nExpected:\n{expected}");
    }
}
