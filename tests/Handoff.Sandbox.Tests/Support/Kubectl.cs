using System.Diagnostics;
using System.Text;

namespace Handoff.Sandbox.Tests.Support;

/// <summary>Runs the real kubectl binary (repo .tools/bin first, then PATH) against a kubeconfig.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _binary;
    private readonly string _kubeconfig;
    private readonly string _cacheDir;

    private Kubectl(string binary, string kubeconfig)
    {
        _binary = binary;
        _kubeconfig = kubeconfig;
        _cacheDir = Directory.CreateTempSubdirectory("kubectl-cache-").FullName;
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Finds kubectl or skips the test with the reason.</summary>
    public static Kubectl For(string kubeconfig)
    {
        var candidates = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Handoff.sln")))
            {
                candidates.Add(Path.Combine(dir.FullName, ".tools", "bin", "kubectl"));
                break;
            }
        }

        foreach (var p in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(p, "kubectl"));
        }

        var found = candidates.FirstOrDefault(File.Exists);
        if (found is null)
        {
            Assert.Skip("kubectl not found in .tools/bin (run .ci/install-tools) or on PATH");
        }

        return new Kubectl(found, kubeconfig);
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(_kubeconfig);
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(_cacheDir);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("KUBECONFIG");
        return psi;
    }

    public async Task<Result> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public async Task<Result> RunWithInputAsync(string? stdin, params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public async Task<Result> OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {r}");
        return r;
    }

    /// <summary>A long-running kubectl (e.g. <c>get -w</c>) whose output lines are collected until disposed.</summary>
    public Streaming Start(params string[] args) => new(Process.Start(StartInfo(args))!);

    public sealed class Streaming : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _out = new();

        public Streaming(Process process)
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

        public Task<Result> WaitAsync() => WaitCoreAsync();

        private async Task<Result> WaitCoreAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var stderr = _process.StandardError.ReadToEndAsync(timeout.Token);
            await _process.WaitForExitAsync(timeout.Token);
            return new Result(_process.ExitCode, Output, await stderr);
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

    public void Dispose() => Directory.Delete(_cacheDir, recursive: true);
}
