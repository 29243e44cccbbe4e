using Handoff.Sandbox.Tests.Support;
using Handoff.Testing;

namespace Handoff.Sandbox.Tests;

/// <summary>
/// Handoff's CRDs from <c>crds/</c> in the emulator, through the real kubectl: what <c>kubectl apply</c> accepts and
/// refuses is what the schema (and <c>handoff plan</c>) decides.
/// </summary>
public sealed class HandoffCrdKubectlTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private readonly Kubectl _kubectl = new(fixture.KubeconfigPath);
    private string _ns = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _ns = await fixture.NewNamespaceAsync();
        await _kubectl.MustAsync(["apply", "-f", RepoPaths.Crds], Ct);
    }

    public ValueTask DisposeAsync()
    {
        _kubectl.Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<ProcessResult> ApplyAsync(string yaml) => _kubectl.RunAsync(["apply", "-n", _ns, "-f", "-"], Ct, stdin: yaml);

    [Fact]
    public async Task Unquoted_quantities_apply_and_read_back_as_written()
    {
        var applied = await ApplyAsync("""
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata: {name: eight}
            spec:
              cost: {cpu: 8, memory: 16Gi}
              template: {spec: {containers: [{name: main, image: busybox}]}}
            """);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        // Schema defaults apply; podGC has none (the operator's --default-pod-gc applies when it is absent).
        Assert.Equal("8 16Gi 3 PreemptLowerPriority ", await _kubectl.MustAsync(["get", "hf", "eight", "-n", _ns, "-o", "jsonpath={.spec.cost.cpu} {.spec.cost.memory} {.spec.maxRetries} {.spec.preemptionPolicy} {.spec.podGC}"], Ct));
    }

    [Theory]
    [InlineData("metadata: {name: big}\nspec: {maxRetries: 3000000000}", "spec.maxRetries: Invalid value: 3000000000: spec.maxRetries in body should be less than or equal to 2147483647")]
    [InlineData("metadata: {name: bad-template}\nspec: {template: {spec: {containers: x}}}", "spec.template.spec.containers: Invalid value: \"string\": spec.template.spec.containers in body must be of type array: \"string\"")]
    [InlineData("metadata: {name: no-image}\nspec: {template: {spec: {containers: [{name: main}]}}}", "spec.template.spec.containers[0].image: Required value")]
    [InlineData("metadata: {name: a-function-name-that-is-longer-than-sixty-three-characters-long-x}\nspec: {}", "metadata.name: Invalid value: must be no more than 63 characters: a HandoffFunction's name is the value of the handoff.dev/function label of its pods")]
    public async Task Values_the_schema_refuses_are_refused_by_kubectl_apply(string body, string message)
    {
        var applied = await ApplyAsync("apiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\n" + body + "\n");
        Assert.NotEqual(0, applied.ExitCode);
        Assert.Contains(message, applied.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_shows_its_columns()
    {
        var applied = await ApplyAsync("apiVersion: handoff.dev/v1alpha1\nkind: HandoffQueue\nmetadata: {name: team-a}\nspec: {quota: {cpu: 16}, cohort: research}\n");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var table = (await _kubectl.MustAsync(["get", "hq"], Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+WEIGHT\s+PENDING\s+ADMITTED\s+COHORT\s+AGE$", table[0]);
        Assert.Contains(table, row => System.Text.RegularExpressions.Regex.IsMatch(row, @"^team-a\s+1\s+research\s+\d+s$"));
    }
}
