using System.Text.Json;
using Handoff.Core.Lifecycle;

namespace Handoff.Cli.Tests.Commands;

/// <summary>Two nodes of 4 cpu, p1 and p2.</summary>
public sealed class PlanLiveSandbox : LiveSandbox
{
    protected override string NodesYaml => """
        nodes:
        - {name: p1, allocatable: {cpu: "4", memory: 8Gi}}
        - {name: p2, allocatable: {cpu: "4", memory: 8Gi}}
        """;

    protected override string SetupYaml => """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: p1}
        spec: {capacity: {cpu: "4", memory: 8Gi}}
        ---
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: p2}
        spec: {capacity: {cpu: "4", memory: 8Gi}}
        """;
}

/// <summary>
/// <c>handoff plan --live</c> through the real binary: on a busy cluster, what it predicts for new manifests is what the
/// operator then does with them.
/// </summary>
public sealed class PlanLiveTests(PlanLiveSandbox sandbox) : IClassFixture<PlanLiveSandbox>
{
    private static string Hog(string name, string cpu, string node) => $$"""
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata:
          name: {{name}}
          annotations: {handoff.dev/duration: 1h}
        spec:
          cost: {cpu: "{{cpu}}"}
          node: {{node}}
          template:
            metadata:
              annotations: {handoff.dev/duration: 1h}
            spec:
              containers:
              - {name: main, image: busybox}
        ---

        """;

    private const string NewManifests = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata: {name: fresh}
        spec:
          cost: {cpu: "2"}
          template:
            metadata: {annotations: {handoff.dev/duration: 1h}}
            spec: {containers: [{name: main, image: busybox}]}
        ---
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata: {name: later}
        spec:
          cost: {cpu: "3"}
          template:
            spec: {containers: [{name: main, image: busybox}]}
        """;

    [Fact]
    public async Task Plan_live_predicts_what_the_operator_does_with_new_manifests_on_a_busy_cluster()
    {
        var ns = await sandbox.NamespaceWithAsync(Hog("hog1", "3", "p1") + Hog("hog2", "2", "p2"));
        await sandbox.WaitForPhaseAsync(ns, "hog1", FunctionPhases.Running);
        await sandbox.WaitForPhaseAsync(ns, "hog2", FunctionPhases.Running);
        using var files = new TempManifests();
        var path = files.Write("new.yaml", NewManifests);

        var json = await sandbox.HandoffAsync("plan", "--live", "-f", path, "-n", ns, "-o", "json");
        var plan = JsonDocument.Parse(json).RootElement;
        JsonElement F(string name) => plan.GetProperty("functions").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name && f.GetProperty("namespace").GetString() == ns);

        // The running functions stay where they are, with what is left of their hour.
        Assert.Equal("cluster", F("hog1").GetProperty("source").GetString());
        Assert.Equal("p1", F("hog1").GetProperty("node").GetString());
        Assert.InRange(F("hog1").GetProperty("end").GetDouble(), 3500, 3600);
        // fresh (2 cpu) fits only on p2 now; later (3 cpu) fits nowhere until the hogs end, then on p1.
        Assert.Equal("new", F("fresh").GetProperty("source").GetString());
        Assert.Equal("p2", F("fresh").GetProperty("node").GetString());
        Assert.Equal(0, F("fresh").GetProperty("start").GetDouble());
        Assert.Equal("p1", F("later").GetProperty("node").GetString());
        Assert.InRange(F("later").GetProperty("start").GetDouble(), 3500, 3600);
        Assert.False(string.IsNullOrEmpty(plan.GetProperty("now").GetString()));

        // Nothing was created by the plan.
        var before = await sandbox.HandoffAsync("graph", "-n", ns);
        Assert.DoesNotContain("fresh", before, StringComparison.Ordinal);

        await sandbox.NamespaceWithAsync(NewManifests, ns);
        var fresh = await sandbox.WaitForPhaseAsync(ns, "fresh", FunctionPhases.Running);
        Assert.Equal("p2", fresh.Status.Node);
        var later = await sandbox.WaitForAsync(ns, "later", f => f.Status?.Phase == FunctionPhases.Pending && f.Status.Message?.Contains("Insufficient cpu", StringComparison.Ordinal) == true, "Pending for cpu");
        Assert.Null(later.Status.Node);
    }

    [Fact]
    public async Task Plan_live_as_a_table_marks_where_each_function_comes_from()
    {
        using var files = new TempManifests();
        var path = files.Write("one.yaml", """
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata: {name: tiny}
            spec:
              template: {spec: {containers: [{name: main, image: busybox}]}}
            """);

        var table = await sandbox.HandoffAsync("plan", "--live", "-f", path, "-n", "plan-table");

        Assert.StartsWith("live plan: time 0 is ", table, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^FUNCTION\s+PHASE\s+NODE\s+ATTEMPTS\s+START\s+END\s+STRATEGY\s+SOURCE\s+MESSAGE$", table);
        Assert.Matches(@"(?m)^plan-table/tiny\s+Succeeded\s+p\d\s+1\s+0s\s+1s\s+FirstAvailable\s+new\s", table);
    }

    [Fact]
    public async Task A_new_manifest_named_like_a_function_in_the_cluster_is_refused()
    {
        var ns = await sandbox.NamespaceWithAsync(Hog("taken", "1", "p1"));
        using var files = new TempManifests();
        var path = files.Write("dup.yaml", Hog("taken", "1", "p1"));

        var result = await HandoffBinary.RunAsync(["plan", "--live", "-f", path, "-n", ns, "--kubeconfig", sandbox.KubeconfigPath]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"HandoffFunction {ns}/taken: metadata.name: Duplicate value: \"taken\" in namespace \"{ns}\" (already defined at <cluster>:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_live_without_a_reachable_cluster_says_so()
    {
        using var files = new TempManifests();
        var kubeconfig = files.Write("kc", (await File.ReadAllTextAsync(sandbox.KubeconfigPath, TestContext.Current.CancellationToken)).Replace(
            new Uri(sandbox.Client.BaseUri.ToString()).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "1", StringComparison.Ordinal));

        var result = await HandoffBinary.RunAsync(["plan", "--live", "--kubeconfig", kubeconfig]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: cannot reach the API server at http://127.0.0.1:1/", result.Stderr, StringComparison.Ordinal);
    }
}
