using Handoff.Chart.Tests.Support;
using Handoff.Testing;

namespace Handoff.Chart.Tests;

/// <summary>The README's configuration table is checked against values.yaml, and values.yaml is documented line by line.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void Every_value_is_documented()
    {
        ValuesDoc.Read(File.ReadAllText(Path.Combine(RepoPaths.Chart, "values.yaml")), out var undocumented);
        Assert.True(undocumented.Count == 0, "values.yaml keys without a '# --' comment: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void Readme_configuration_table_matches_values_yaml()
    {
        var parameters = ValuesDoc.Read(File.ReadAllText(Path.Combine(RepoPaths.Chart, "values.yaml")), out _);
        Assert.NotEmpty(parameters);
        var expected = parameters.Select(p => p.TableRow).ToList();

        var readme = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("## Install with Helm", StringComparison.Ordinal));
        Assert.True(start >= 0, "README.md has no '## Install with Helm' section");
        var actual = readme.Skip(start)
            .SkipWhile(l => !l.StartsWith("| Key |", StringComparison.Ordinal))
            .Skip(2)
            .TakeWhile(l => l.StartsWith('|'))
            .ToList();

        Assert.True(
            expected.SequenceEqual(actual),
            "The README configuration table does not match charts/handoff/values.yaml. Expected rows:\n"
            + "| Key | Default | Description |\n| --- | --- | --- |\n" + string.Join('\n', expected));
    }

    [Fact]
    public void Values_schema_covers_every_top_level_value()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Chart, "values.schema.json")))!;
        var properties = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var parameters = ValuesDoc.Read(File.ReadAllText(Path.Combine(RepoPaths.Chart, "values.yaml")), out _);
        foreach (var top in parameters.Select(p => p.Key.Split('.')[0]).Distinct())
        {
            Assert.Contains(top, properties);
        }
    }
}
