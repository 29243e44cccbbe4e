using Handoff.Testing;

namespace Handoff.Sandbox.Tests.Auth;

/// <summary>The real kubectl 1.35 against the sandbox with RBAC on: create token, auth can-i / whoami, and a refusal as it prints it.</summary>
public sealed class KubectlAuthTests : IAsyncLifetime
{
    private SandboxServer _server = null!;
    private Kubectl _kubectl = null!;
    private DirectoryInfo _dir = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await SandboxServer.StartAsync(new SandboxOptions { Rbac = true, Nodes = [] }, Ct);
        _dir = Directory.CreateTempSubdirectory("sandbox-kubectl-auth-");
        _kubectl = new Kubectl(_server.WriteKubeconfig(Path.Combine(_dir.FullName, "kubeconfig")));
    }

    public async ValueTask DisposeAsync()
    {
        _kubectl?.Dispose();
        await _server.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Create_token_gives_a_token_that_kubectl_authenticates_with_and_can_i_and_whoami_answer_for_it()
    {
        await _kubectl.MustAsync(["create", "serviceaccount", "robot", "-n", "default"], Ct);
        var token = (await _kubectl.MustAsync(["create", "token", "robot", "-n", "default", "--duration=20m"], Ct)).Trim();
        string[] asRobot = ["--token", token, "-n", "default"];

        var whoami = await _kubectl.MustAsync([.. asRobot, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], Ct);
        Assert.Equal("system:serviceaccount:default:robot", whoami);
        Assert.Equal("system:admin", await _kubectl.MustAsync(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], Ct));

        var no = await _kubectl.RunAsync([.. asRobot, "auth", "can-i", "list", "pods"], Ct);
        Assert.Equal((1, "no"), (no.ExitCode, no.Stdout.Trim()));
        var refused = await _kubectl.RunAsync([.. asRobot, "get", "pods"], Ct);
        Assert.False(refused.Succeeded);
        Assert.Contains(
            "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:default:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
            refused.Stderr, StringComparison.Ordinal);

        await _kubectl.MustAsync(["create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods", "-n", "default"], Ct);
        await _kubectl.MustAsync(["create", "rolebinding", "pod-reader", "--role=pod-reader", "--serviceaccount=default:robot", "-n", "default"], Ct);
        var yes = await _kubectl.RunAsync([.. asRobot, "auth", "can-i", "list", "pods"], Ct);
        Assert.Equal((0, "yes"), (yes.ExitCode, yes.Stdout.Trim()));
        Assert.Equal("no", (await _kubectl.RunAsync([.. asRobot, "auth", "can-i", "delete", "pods"], Ct)).Stdout.Trim());
        await _kubectl.MustAsync([.. asRobot, "get", "pods"], Ct);
        var list = await _kubectl.MustAsync([.. asRobot, "auth", "can-i", "--list"], Ct);
        Assert.Contains("pods ", list, StringComparison.Ordinal);
        Assert.Contains("[get list watch]", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_without_a_valid_token_is_told_it_must_log_in()
    {
        var result = await _kubectl.RunAsync(["--token", "not-a-token", "get", "pods"], Ct);
        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("error: You must be logged in to the server (the server has asked for the client to provide credentials)", result.Stderr, StringComparison.Ordinal);
    }
}
