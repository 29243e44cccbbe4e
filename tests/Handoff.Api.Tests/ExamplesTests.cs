using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Api.Tests.Crds;
using Handoff.Testing;

namespace Handoff.Api.Tests;

/// <summary>Every Handoff object in <c>examples/</c>, read with the one manifest reader, is valid against the CRD files.</summary>
public sealed class ExamplesTests
{
    public static TheoryData<string> ExampleFiles =>
        [.. ManifestPaths.Expand([RepoPaths.Examples])
            .Where(f => File.ReadAllText(f.Path).Contains("apiVersion: handoff.dev/", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f.Path).Replace('\\', '/'))];

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Example_objects_are_valid_against_the_crds(string file)
    {
        var objects = ManifestReader.Read(new ManifestFile(Path.Combine(RepoPaths.Root, file)), TextReader.Null)
            .Where(o => o.ApiVersion == "handoff.dev/v1alpha1")
            .ToList();
        var problems = new List<string>();
        foreach (var obj in objects)
        {
            var schema = obj.Kind switch
            {
                "HandoffNode" => CrdValidationTests.s_nodeSchema.Value,
                "HandoffFunction" => CrdValidationTests.s_functionSchema.Value,
                "HandoffQueue" => CrdValidationTests.s_queueSchema.Value,
                var other => throw new InvalidOperationException($"{obj.Location}: unknown kind {other}"),
            };
            var result = CrdValidationTests.Evaluate(schema, obj.Json.ToJsonString());
            if (!result.IsValid)
            {
                problems.Add($"{obj}: {CrdValidationTests.Describe(result)}");
            }
        }

        Assert.True(problems.Count == 0, $"{file} is rejected by the CRDs:\n  " + string.Join("\n  ", problems));
        Assert.NotEmpty(objects);
    }

    [Fact]
    public void Unquoted_numbers_are_quantities_as_in_core_kubernetes()
    {
        // kubectl sends cpu: 8 as the number 8; the CRD takes it as a pod's resources would.
        var node = Assert.Single(ManifestReader.Read("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: x}\nspec: {capacity: {cpu: 8, memory: 16Gi}}\n", "n.yaml"));
        Assert.Equal("""{"cpu":8,"memory":"16Gi"}""", node.Json["spec"]!["capacity"]!.ToJsonString());
        Assert.True(CrdValidationTests.Evaluate(CrdValidationTests.s_nodeSchema.Value, node.Json.ToJsonString()).IsValid);
        var fraction = Assert.Single(ManifestReader.Read("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: x}\nspec: {capacity: {cpu: 0.5}}\n", "n.yaml"));
        Assert.False(CrdValidationTests.Evaluate(CrdValidationTests.s_nodeSchema.Value, fraction.Json.ToJsonString()).IsValid);
        Assert.IsType<JsonValue>(fraction.Json["spec"]!["capacity"]!["cpu"], exactMatch: false);
    }
}
