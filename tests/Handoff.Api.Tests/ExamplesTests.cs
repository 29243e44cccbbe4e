using Handoff.Api.Tests.Crds;
using Handoff.Testing;

namespace Handoff.Api.Tests;

/// <summary>Every HandoffNode and HandoffFunction in <c>examples/</c> is valid against the CRD schemas.</summary>
public sealed class ExamplesTests
{
    public static TheoryData<string> ExampleFiles =>
        [.. Directory.GetFiles(Path.Combine(RepoPaths.Root, "examples"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("apiVersion: handoff.dev/", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Example_objects_are_valid_against_the_crds(string file)
    {
        var documents = YamlJson.ParseDocuments(File.ReadAllText(Path.Combine(RepoPaths.Root, file)));
        var problems = new List<string>();
        var checkedCount = 0;
        for (var i = 0; i < documents.Count; i++)
        {
            if (documents[i] is not System.Text.Json.Nodes.JsonObject obj || obj["apiVersion"]?.GetValue<string>() != "handoff.dev/v1alpha1")
            {
                continue;
            }

            var schema = obj["kind"]?.GetValue<string>() switch
            {
                "HandoffNode" => CrdValidationTests.s_nodeSchema.Value,
                "HandoffFunction" => CrdValidationTests.s_functionSchema.Value,
                var other => throw new InvalidOperationException($"{file} document {i + 1}: unknown kind {other}"),
            };
            var result = CrdValidationTests.Evaluate(schema, obj.ToJsonString());
            checkedCount++;
            if (!result.IsValid)
            {
                problems.Add($"document {i + 1} ({obj["kind"]} {obj["metadata"]?["name"]}): {CrdValidationTests.Describe(result)}");
            }
        }

        Assert.True(problems.Count == 0, $"{file} is rejected by the CRDs:\n  " + string.Join("\n  ", problems));
        Assert.True(checkedCount > 0, $"{file} names handoff.dev but holds no HandoffNode/HandoffFunction");
    }

    [Fact]
    public void Yaml_typing_follows_kubectl()
    {
        var doc = YamlJson.ParseDocuments("a: 8\nb: \"8\"\nc: n\nd: 1e3\ne: 16Gi\nf: ~\ng: 'yes'\n").Single()!;
        Assert.Equal("""{"a":8,"b":"8","c":false,"d":1000,"e":"16Gi","f":null,"g":"yes"}""", doc.ToJsonString());
        var unquoted = YamlJson.ParseDocuments("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: x}\nspec: {capacity: {cpu: 8}}\n").Single()!;
        Assert.False(CrdValidationTests.Evaluate(CrdValidationTests.s_nodeSchema.Value, unquoted.ToJsonString()).IsValid);
    }
}
