using Handoff.Sandbox;
using Handoff.Testing;

namespace Handoff.Cli.Tests.Sandbox;

/// <summary><c>handoff sandbox --rbac</c>: the API over HTTPS with RBAC enforced, the administrator's kubeconfig, the operator at work.</summary>
public sealed class SandboxRbacCommandTests
{
    [Fact]
    public async Task With_rbac_the_administrators_kubeconfig_runs_the_seed_and_a_service_account_token_is_refused_what_it_was_not_granted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = SandboxRun.Start("--rbac", "--pod-duration", "100ms");
        using var kubectl = new Kubectl(run.KubeconfigPath);
        await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));
        Assert.Contains("RBAC is on", run.Output.Text, StringComparison.Ordinal);
        Assert.Contains("server: https://127.0.0.1:", await File.ReadAllTextAsync(run.KubeconfigPath, ct), StringComparison.Ordinal);

        await kubectl.MustAsync(["apply", "-f", SandboxRun.Examples("seed")], ct);
        var wait = await kubectl.RunAsync(["wait", "--for=jsonpath={.status.phase}=Succeeded", "hf", "--all", "-n", "default", "--timeout=60s"], ct);
        Assert.True(wait.Succeeded, wait + "\n" + run.Error.Text);

        await kubectl.MustAsync(["create", "serviceaccount", "viewer", "-n", "default"], ct);
        var token = (await kubectl.MustAsync(["create", "token", "viewer", "-n", "default"], ct)).Trim();
        var refused = await kubectl.RunAsync(["--token", token, "get", "hf", "-n", "default"], ct);
        Assert.Contains(
            "handofffunctions.handoff.dev is forbidden: User \"system:serviceaccount:default:viewer\" cannot list resource \"handofffunctions\" in API group \"handoff.dev\" in the namespace \"default\"",
            refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }
}
