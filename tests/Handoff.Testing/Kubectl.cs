using System.Diagnostics;
using System.Text;
using Xunit;

namespace Handoff.Testing;

/// <summary>
/// The real kubectl (<see cref="Tools.Kubectl"/>: the test is skipped with the reason when there is none) against one
/// kubeconfig, with a discovery cache of its own: a later API server on the same port must not be read from an
/// earlier one's cache.
/// </summary>
public sealed class Kubectl : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);
    private readonly string _binary;
    private readonly string _cacheDir;

    public Kubectl(string kubeconfigPath)
    {
        _binary = Tools.Kubectl;
        KubeconfigPath = kubeconfigPath;
        _cacheDir = Directory.CreateTempSubdirectory("kubectl-cache-").FullName;
    }

    public string KubeconfigPath { get; }

    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null) =>
        Processes.RunAsync(_binary, Arguments(arguments), timeout ?? DefaultTimeout, cancellationToken, stdin, Environment);

    /// <summary>Runs kubectl and fails the test with its output when it fails; returns its standard output.</summary>
    public async Task<string> MustAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null)
    {
        var result = await RunAsync(arguments, cancellationToken, stdin, timeout);
        Assert.True(result.Succeeded, result.ToString());
        return result.Stdout;
    }

    /// <summary>A long-running kubectl (e.g. <c>get -w</c>, <c>wait</c>) whose output lines are collected until disposed.</summary>
    public RunningKubectl Start(IEnumerable<string> arguments) =>
        new(Process.Start(Processes.StartInfo(_binary, Arguments(arguments), redirectStdin: true, Environment))!);

    public void Dispose() => Directory.Delete(_cacheDir, recursive: true);

    // Only the kubeconfig given counts.
    private static Dictionary<string, string?> Environment => new() { ["KUBECONFIG"] = null };

    private IEnumerable<string> Arguments(IEnumerable<string> arguments) =>
        ["--kubeconfig", KubeconfigPath, "--cache-dir", _cacheDir, .. arguments];
}

/// <summary>A kubectl that runs until it exits or is disposed, its output collected line by line.</summary>
public sealed class RunningKubectl : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();

    internal RunningKubectl(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_out)
                {
                    _out.AppendLine(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.StandardInput.Close();
    }

    public string Output
    {
        get
        {
            lock (_out)
            {
                return _out.ToString();
            }
        }
    }

    /// <summary>Waits (at most a minute) for kubectl to exit by itself.</summary>
    public async Task<ProcessResult> WaitAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stderr = _process.StandardError.ReadToEndAsync(timeout.Token);
        await _process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(_process.StartInfo.FileName + " " + string.Join(' ', _process.StartInfo.ArgumentList), _process.ExitCode, Output, await stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
