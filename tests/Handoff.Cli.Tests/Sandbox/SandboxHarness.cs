using System.CommandLine;
using System.Text;
using Handoff.Cli.Commands;
using Handoff.Testing;

namespace Handoff.Cli.Tests.Sandbox;

/// <summary>Runs <c>handoff sandbox</c> in-process with captured output, a free port and a temporary kubeconfig.</summary>
internal sealed class SandboxRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly DirectoryInfo _dir;

    private SandboxRun(string[] args)
    {
        _dir = Directory.CreateTempSubdirectory("handoff-sandbox-cli-");
        KubeconfigPath = Path.Combine(_dir.FullName, "kubeconfig");
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _cancel.CancelAfter(TimeSpan.FromSeconds(90));
        var root = new RootCommand("test");
        root.Subcommands.Add(SandboxCommand.Create());
        string[] all = ["sandbox", "--port", "0", "--kubeconfig", KubeconfigPath, .. args];
        Exit = root.Parse(all).InvokeAsync(
            new InvocationConfiguration { Output = Output, Error = Error, ProcessTerminationTimeout = null }, _cancel.Token);
    }

    public string KubeconfigPath { get; }

    public CapturedWriter Output { get; } = new();

    public CapturedWriter Error { get; } = new();

    /// <summary>The command's exit code once it returns.</summary>
    public Task<int> Exit { get; }

    public static SandboxRun Start(params string[] args) => new(args);

    /// <summary>Runs to completion (the command must end by itself, e.g. with --until-done).</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        await using var run = Start(args);
        var exit = await run.Exit.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return (exit, run.Output.Text, run.Error.Text);
    }

    /// <summary>Ctrl-C: cancels the command and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _cancel.CancelAsync();
        return await Exit.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exit.IsCompleted)
        {
            await StopAsync();
        }

        _cancel.Dispose();
        _dir.Delete(recursive: true);
    }

    public static string Examples(string name) => Path.Combine(RepoPaths.Examples, name);
}

/// <summary>A thread-safe writer whose text can be awaited.</summary>
internal sealed class CapturedWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly List<(string Needle, TaskCompletionSource Seen)> _waiters = [];
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }

    public override void Write(char value) => Append(value.ToString());

    public override void Write(string? value) => Append(value ?? "");

    public override void WriteLine(string? value) => Append((value ?? "") + "\n");

    /// <summary>Completes when the text contains <paramref name="needle"/>; fails with the text so far after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(string needle, TimeSpan timeout)
    {
        TaskCompletionSource seen;
        lock (_lock)
        {
            if (_text.ToString().Contains(needle, StringComparison.Ordinal))
            {
                return;
            }

            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((needle, seen));
        }

        try
        {
            await seen.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"\"{needle}\" not written within {timeout}; output so far:\n{Text}");
        }
    }

    private void Append(string value)
    {
        lock (_lock)
        {
            _text.Append(value);
            var text = _text.ToString();
            foreach (var waiter in _waiters.Where(w => text.Contains(w.Needle, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
