namespace Handoff.Chart.Tests.Support;

/// <summary>kubectl against a given kubeconfig.</summary>
internal sealed class Kubectl(string kubeconfigPath)
{
    public string KubeconfigPath { get; } = kubeconfigPath;

    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null) =>
        Processes.RunAsync(Tools.Kubectl, ["--kubeconfig", KubeconfigPath, .. arguments], timeout ?? TimeSpan.FromSeconds(120), cancellationToken, stdin);

    /// <summary>Runs kubectl and fails the test with its output when it fails.</summary>
    public async Task<string> MustAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null)
    {
        var result = await RunAsync(arguments, cancellationToken, stdin, timeout);
        Assert.True(result.Succeeded, result.ToString());
        return result.Stdout;
    }
}
