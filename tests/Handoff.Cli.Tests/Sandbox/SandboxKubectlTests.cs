using Handoff.Sandbox;
using Handoff.Testing;

namespace Handoff.Cli.Tests.Sandbox;

/// <summary>
/// The user's path of the issue: <c>handoff sandbox</c> in one terminal (here in-process), the real kubectl in
/// another. (Handoff.Operator.Tests' KubectlTests does the same with the operator started by the test itself on
/// examples/dag; this one goes through the command, so its operator and simulated nodes are the command's.)
/// </summary>
public sealed class SandboxKubectlTests
{
    [Fact]
    public async Task Kubectl_apply_of_the_seed_example_then_kubectl_wait_sees_every_function_Succeeded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = SandboxRun.Start("--pod-duration", "100ms");
        using var kubectl = new Kubectl(run.KubeconfigPath);
        await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));

        var apply = await kubectl.MustAsync(["apply", "-f", SandboxRun.Examples("seed")], ct);
        Assert.Contains("handofffunction.handoff.dev/seed-gpu-task created", apply, StringComparison.Ordinal);
        Assert.Contains("handoffnode.handoff.dev/seed-node-a created", apply, StringComparison.Ordinal);

        var wait = await kubectl.RunAsync(["wait", "--for=jsonpath={.status.phase}=Succeeded", "hf", "--all", "-n", "default", "--timeout=60s"], ct);
        Assert.True(wait.Succeeded, wait + "\n" + run.Error.Text);
        Assert.Contains("handofffunction.handoff.dev/seed-second-gpu-task condition met", wait.Stdout, StringComparison.Ordinal);

        var nodes = await kubectl.MustAsync(["get", "hf", "-n", "default", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.node} {end}"], ct);
        Assert.Equal(
            ["seed-cpu-task=seed-node-a", "seed-custom-task=seed-node-b", "seed-gpu-task=seed-node-a", "seed-second-gpu-task=seed-node-a"],
            nodes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(0, await run.StopAsync());
    }
}
