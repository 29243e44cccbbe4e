using System.Diagnostics;
using Handoff.Sandbox;

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
        var kubectl = FindKubectl();
        if (kubectl is null)
        {
            Assert.Skip("kubectl not found on PATH or in .tools/bin (run .ci/install-tools)");
        }

        await using var run = SandboxRun.Start("--pod-duration", "100ms");
        await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));

        var apply = await RunAsync(kubectl, run.KubeconfigPath, "apply", "-f", SandboxRun.Examples("seed"));
        Assert.True(apply.Code == 0, apply.Output);
        Assert.Contains("handofffunction.handoff.dev/seed-gpu-task created", apply.Output, StringComparison.Ordinal);
        Assert.Contains("handoffnode.handoff.dev/seed-node-a created", apply.Output, StringComparison.Ordinal);

        var wait = await RunAsync(kubectl, run.KubeconfigPath, "wait", "--for=jsonpath={.status.phase}=Succeeded", "hf", "--all", "-n", "default", "--timeout=60s");
        Assert.True(wait.Code == 0, wait.Output + "\n" + run.Error.Text);
        Assert.Contains("handofffunction.handoff.dev/seed-second-gpu-task condition met", wait.Output, StringComparison.Ordinal);

        var nodes = await RunAsync(kubectl, run.KubeconfigPath, "get", "hf", "-n", "default", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.node} {end}");
        Assert.True(nodes.Code == 0, nodes.Output);
        Assert.Equal(
            ["seed-cpu-task=seed-node-a", "seed-custom-task=seed-node-b", "seed-gpu-task=seed-node-a", "seed-second-gpu-task=seed-node-a"],
            nodes.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(0, await run.StopAsync());
    }

    private static string? FindKubectl()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append(Path.Combine(PlanHarness.RepoRoot, ".tools", "bin"));
        return candidates.Where(d => d.Length > 0).Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);
    }

    private static async Task<(int Code, string Output)> RunAsync(string kubectl, string kubeconfig, params string[] args)
    {
        var psi = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(kubeconfig);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var ct = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(90), ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
