using System.Diagnostics;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;

namespace Handoff.Operator.Tests.Integration;

/// <summary>The user's path: the real kubectl applies an example to the sandbox (a fresh cluster) and waits for it.</summary>
public sealed class KubectlTests
{
    [Fact]
    public async Task Kubectl_apply_of_the_dag_example_then_kubectl_wait_sees_every_function_Succeeded()
    {
        var kubectl = FindKubectl();
        if (kubectl is null)
        {
            Assert.Skip("kubectl not found on PATH or in .tools/bin (run .ci/install-tools)");
        }

        // The simulated kubelet runs the pods; the example's own namespace (default) is fresh in a fresh sandbox.
        var root = Path.GetDirectoryName(SandboxCluster.CrdsDirectory())!;
        await using var cluster = await SandboxCluster.StartAsync(["dag-worker-1", "dag-worker-2"], simulateKubelet: true, ns: "default");
        var dir = Directory.CreateTempSubdirectory("handoff-kubectl-");
        try
        {
            var kubeconfig = cluster.Server.WriteKubeconfig(Path.Combine(dir.FullName, "kubeconfig"));
            await cluster.StartOperatorAsync();
            var apply = await RunAsync(kubectl, kubeconfig, "apply", "-f", Path.Combine(root, "examples", "dag"));
            Assert.True(apply.Code == 0, apply.Output);
            Assert.Contains("handofffunction.handoff.dev/dag-sum created", apply.Output, StringComparison.Ordinal);
            var wait = await RunAsync(kubectl, kubeconfig, "wait", "hf", "--all", "-n", "default", "--for=jsonpath={.status.phase}=Succeeded", "--timeout=60s");
            Assert.True(wait.Code == 0, wait.Output);
            var get = await RunAsync(kubectl, kubeconfig, "get", "hf", "-n", "default");
            Assert.Contains("PHASE", get.Output, StringComparison.Ordinal);
            Assert.All(await cluster.ListFunctionsAsync(), f => Assert.Equal(FunctionPhases.Succeeded, f.Status.Phase));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string? FindKubectl()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append(Path.Combine(Path.GetDirectoryName(SandboxCluster.CrdsDirectory())!, ".tools", "bin"));
        return candidates.Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);
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
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
