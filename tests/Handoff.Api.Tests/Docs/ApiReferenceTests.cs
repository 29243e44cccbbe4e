using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Handoff.Api.Crds;
using Handoff.Testing;

namespace Handoff.Api.Tests.Docs;

/// <summary>docs/api.md is what <see cref="ApiReference"/> writes now, documents every field of the CRDs, and links only inside the repository.</summary>
public sealed partial class ApiReferenceTests
{
    private static readonly string s_path = Path.Combine(RepoPaths.Root, "docs", "api.md");
    private static readonly Lazy<string> s_written = new(() =>
    {
        var text = ApiReference.Render();
        if (Crds.CrdSchemas.UpdateRequested)
        {
            File.WriteAllText(s_path, text);
        }

        return text;
    });

    [Fact]
    public void Docs_api_md_is_not_stale()
    {
        var expected = s_written.Value;
        Assert.True(File.Exists(s_path), $"docs/api.md is missing. {Crds.CrdSchemas.RegenerateHint}");
        var actual = File.ReadAllText(s_path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (actual != expected)
        {
            var line = expected.Split('\n').Zip(actual.Split('\n')).Select((p, i) => (p, i)).FirstOrDefault(x => x.p.First != x.p.Second);
            Assert.Fail($"docs/api.md is stale at line {line.i + 1}: '{line.p.Second}' but the generator writes '{line.p.First}'. {Crds.CrdSchemas.RegenerateHint}");
        }
    }

    [Theory]
    [InlineData(Crds.CrdSchemas.NodeFile)]
    [InlineData(Crds.CrdSchemas.FunctionFile)]
    [InlineData(Crds.CrdSchemas.QueueFile)]
    public void Every_field_of_the_crd_files_is_documented(string file)
    {
        var schema = Crds.CrdSchemas.OpenApiSchema(file);
        var doc = s_written.Value;
        var missing = new List<string>();
        foreach (var part in new[] { "spec", "status" })
        {
            foreach (var path in Paths((JsonObject)schema["properties"]![part]!, part))
            {
                if (!doc.Contains($"| `{path}` |", StringComparison.Ordinal))
                {
                    missing.Add(path);
                }
            }
        }

        Assert.True(missing.Count == 0, $"docs/api.md lacks: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_documented_field_has_a_meaning()
    {
        var empty = s_written.Value.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal) && l.TrimEnd().EndsWith("|  |", StringComparison.Ordinal)).ToList();
        Assert.True(empty.Count == 0, "fields without a doc comment:\n" + string.Join('\n', empty));
    }

    [Fact]
    public void Every_property_of_the_api_types_has_a_doc_comment()
    {
        var types = typeof(CrdGenerator).Assembly.GetTypes().Where(t => t.Namespace == "Handoff.Api.V1Alpha1" && !t.Name.EndsWith("List", StringComparison.Ordinal));
        var undocumented = types
            .SelectMany(t => t.GetProperties().Where(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is { Name: not "metadata" }))
            .Where(p => XmlDocs.Summary(p) is null)
            .Select(p => $"{p.DeclaringType!.Name}.{p.Name}")
            .ToList();
        Assert.True(XmlDocs.Available(typeof(CrdGenerator).Assembly), "Handoff.Api.xml (the documentation file) is not next to the assembly.");
        Assert.True(undocumented.Count == 0, "without <summary>: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void Links_stay_inside_the_repository()
    {
        var doc = s_written.Value;
        Assert.DoesNotContain("://", doc, StringComparison.Ordinal);
        foreach (Match link in MarkdownLink().Matches(doc))
        {
            var target = link.Groups["target"].Value;
            if (target.StartsWith('#'))
            {
                Assert.Contains("\n## " + target[1..], doc.ToLowerInvariant(), StringComparison.Ordinal);
                continue;
            }

            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "docs", target.Split('#')[0])), $"docs/api.md links to {target}, which is not in docs/");
        }
    }

    /// <summary>Every property path of a schema, independently of the generator: <c>a.b</c>, list items <c>a[]</c>, map values <c>a{}</c>.</summary>
    private static IEnumerable<string> Paths(JsonObject node, string path)
    {
        foreach (var (name, child) in node["properties"] as JsonObject ?? [])
        {
            var childPath = $"{path}.{name}";
            yield return childPath;
            foreach (var nested in Paths((JsonObject)child!, childPath))
            {
                yield return nested;
            }
        }

        if (node["items"] is JsonObject items)
        {
            foreach (var nested in Paths(items, path + "[]"))
            {
                yield return nested;
            }
        }

        if (node["additionalProperties"] is JsonObject values)
        {
            foreach (var nested in Paths(values, path + "{}"))
            {
                yield return nested;
            }
        }
    }

    [GeneratedRegex(@"\]\((?<target>[^)]+)\)")]
    private static partial Regex MarkdownLink();
}
