using Handoff.Api.Crds;
using Handoff.Api.V1Alpha1;
using Handoff.Testing;
using k8s.Models;

namespace Handoff.Api.Tests.Crds;

/// <summary>The files in <c>crds/</c> are exactly the generator's output, and describe the contract's resources.</summary>
public sealed class CrdFilesTests
{
    [Fact]
    public void Crds_folder_is_not_stale()
    {
        CrdSchemas.EnsureUpdated();
        var expected = CrdGenerator.RenderFiles();
        var onDisk = Directory.Exists(RepoPaths.Crds)
            ? Directory.GetFiles(RepoPaths.Crds, "*.yaml").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList()
            : [];

        Assert.True(
            expected.Keys.SequenceEqual(onDisk),
            $"crds/ holds [{string.Join(", ", onDisk)}] but the generator writes [{string.Join(", ", expected.Keys)}]. {CrdSchemas.RegenerateHint}");
        foreach (var (name, text) in expected)
        {
            var actual = File.ReadAllText(Path.Combine(RepoPaths.Crds, name)).Replace("\r\n", "\n", StringComparison.Ordinal);
            if (actual != text)
            {
                Assert.Fail($"crds/{name} is stale: {FirstDifference(text, actual)}. {CrdSchemas.RegenerateHint}");
            }
        }
    }

    [Fact]
    public void Generation_is_deterministic() =>
        Assert.Equal(CrdGenerator.RenderFiles(), CrdGenerator.RenderFiles());

    [Fact]
    public void HandoffNode_crd_has_the_contracts_names_scope_and_columns()
    {
        var crd = CrdSchemas.Load(CrdSchemas.NodeFile);
        Assert.Equal("handoffnodes.handoff.dev", crd.Metadata.Name);
        AssertNames(crd, "HandoffNode", "handoffnodes", "handoffnode", "hn", "Cluster");
        Assert.Equal(
            [
                ("Node", "string", ".spec.nodeName"),
                ("Functions", "integer", ".status.functions"),
                ("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status"),
                ("Age", "date", ".metadata.creationTimestamp"),
            ],
            Columns(crd, priority: 0));
    }

    [Fact]
    public void HandoffFunction_crd_has_the_contracts_names_scope_and_columns()
    {
        var crd = CrdSchemas.Load(CrdSchemas.FunctionFile);
        Assert.Equal("handofffunctions.handoff.dev", crd.Metadata.Name);
        AssertNames(crd, "HandoffFunction", "handofffunctions", "handofffunction", "hf", "Namespaced");
        Assert.Equal(
            [
                ("Phase", "string", ".status.phase"),
                ("Node", "string", ".status.node"),
                ("Attempts", "integer", ".status.attempts"),
                ("Result", "string", ".status.result"),
                ("Age", "date", ".metadata.creationTimestamp"),
            ],
            Columns(crd, priority: 0));
        Assert.Equal([("Message", "string", ".status.message")], Columns(crd, priority: 1));
    }

    [Fact]
    public void HandoffQueue_crd_has_the_contracts_names_scope_and_columns()
    {
        var crd = CrdSchemas.Load(CrdSchemas.QueueFile);
        Assert.Equal("handoffqueues.handoff.dev", crd.Metadata.Name);
        AssertNames(crd, "HandoffQueue", "handoffqueues", "handoffqueue", "hq", "Cluster");
        Assert.Equal(
            [
                ("Weight", "string", ".spec.weight"),
                ("Pending", "integer", ".status.pending"),
                ("Admitted", "integer", ".status.admitted"),
                ("Cohort", "string", ".spec.cohort"),
                ("Age", "date", ".metadata.creationTimestamp"),
            ],
            Columns(crd, priority: 0));
    }

    private static void AssertNames(V1CustomResourceDefinition crd, string kind, string plural, string singular, string shortName, string scope)
    {
        Assert.Equal("apiextensions.k8s.io/v1", crd.ApiVersion);
        Assert.Equal(HandoffApi.Group, crd.Spec.Group);
        Assert.Equal(scope, crd.Spec.Scope);
        Assert.Equal(kind, crd.Spec.Names.Kind);
        Assert.Equal(kind + "List", crd.Spec.Names.ListKind);
        Assert.Equal(plural, crd.Spec.Names.Plural);
        Assert.Equal(singular, crd.Spec.Names.Singular);
        Assert.Equal([shortName], crd.Spec.Names.ShortNames);
        Assert.Equal([HandoffApi.Category], crd.Spec.Names.Categories);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal(HandoffApi.Version, version.Name);
        Assert.True(version.Served);
        Assert.True(version.Storage);
        Assert.NotNull(version.Subresources?.Status);
        Assert.Null(version.Subresources!.Scale);
    }

    private static List<(string Name, string Type, string JsonPath)> Columns(V1CustomResourceDefinition crd, int priority) =>
        crd.Spec.Versions.Single().AdditionalPrinterColumns
            .Where(c => (c.Priority ?? 0) == priority)
            .Select(c => (c.Name, c.Type, c.JsonPath))
            .ToList();

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"line {i + 1} is '{al.Trim()}' but the generator writes '{el.Trim()}'";
            }
        }

        return "the files differ";
    }
}
