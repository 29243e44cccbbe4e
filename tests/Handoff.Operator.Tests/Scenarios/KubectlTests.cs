using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>The user's path: the real kubectl applies an example to the sandbox (a fresh cluster) and waits for it.</summary>
public sealed class KubectlTests
{
    [Fact]
    public async Task Kubectl_apply_of_the_dag_example_then_kubectl_wait_sees_every_function_Succeeded()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("handoff-kubectl-");
        try
        {
            using var kubectl = new Kubectl(Path.Combine(dir.FullName, "kubeconfig"));

            // The simulated kubelet runs the pods; the example's own namespace (default) is fresh in a fresh sandbox.
            await using var cluster = await SandboxCluster.StartAsync(["dag-worker-1", "dag-worker-2"], simulateKubelet: true, ns: "default");
            cluster.Server.WriteKubeconfig(kubectl.KubeconfigPath);
            await cluster.StartOperatorAsync();
            var apply = await kubectl.MustAsync(["apply", "-f", Path.Combine(RepoPaths.Examples, "dag")], ct);
            Assert.Contains("handofffunction.handoff.dev/dag-sum created", apply, StringComparison.Ordinal);
            await kubectl.MustAsync(["wait", "hf", "--all", "-n", "default", "--for=jsonpath={.status.phase}=Succeeded", "--timeout=60s"], ct);
            var get = await kubectl.MustAsync(["get", "hf", "-n", "default"], ct);
            Assert.Contains("PHASE", get, StringComparison.Ordinal);
            Assert.All(await cluster.ListFunctionsAsync(), f => Assert.Equal(FunctionPhases.Succeeded, f.Status.Phase));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
