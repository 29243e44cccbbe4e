using System.Globalization;
using System.Threading.Channels;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Infrastructure;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging.Abstractions;

namespace Handoff.Cli.Sandbox;

/// <summary>Exit codes of <c>handoff sandbox --until-done</c>.</summary>
internal static class UntilDoneExitCodes
{
    public const int AllSucceeded = 0;

    /// <summary>Bad flags, manifests or paths (the sandbox's own error code).</summary>
    public const int Error = 1;

    /// <summary>Every function finished or is stuck, and at least one Failed or is stuck.</summary>
    public const int NotAllSucceeded = 2;

    public const int TimedOut = 3;

    /// <summary>Ctrl-C / SIGTERM before the functions finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}

/// <summary>
/// <c>--until-done</c>: watches HandoffFunctions in all namespaces, shows progress (a redrawn table on a terminal,
/// one line per phase change otherwise) and, once every function is Succeeded, Failed or stuck and every Job and
/// plain pod that names Handoff finished or is stuck (<see cref="PodWorkProgress"/>, polled once the functions
/// settled), prints the summary and asks the sandbox to stop.
/// </summary>
internal sealed class UntilDoneMonitor : IAsyncDisposable
{
    /// <summary>How often Jobs and plain pods are listed again once the functions settled but they have not.</summary>
    private static readonly TimeSpan PodWorkPoll = TimeSpan.FromMilliseconds(250);

    private readonly IKubernetes _client;
    private readonly ApiStreams _streams;
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _settle;
    private readonly TimeProvider _time;
    private readonly Task _ready;
    private readonly Action _stopSandbox;
    private readonly Channel<(WatchEventType Type, HandoffFunction Function)> _events =
        Channel.CreateUnbounded<(WatchEventType, HandoffFunction)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, HandoffFunction> _functions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ResourceWatcher<HandoffFunction>? _watcher;
    private Task _watch = Task.CompletedTask;
    private Task _loop = Task.CompletedTask;
    private long _started;
    private long? _lastTerminal;
    private int _renderedLines;
    private volatile bool _applied;

    /// <param name="ready">Completes when the sandbox printed <c>sandbox ready</c>; rendering starts after it.</param>
    /// <param name="settle">How long nothing may change before stuck functions are taken as final.</param>
    public UntilDoneMonitor(
        SandboxConnection connection, TextWriter output, bool interactive, TimeSpan timeout, TimeSpan settle, TimeProvider time,
        Task ready, Action stopSandbox)
    {
        (_client, _streams) = (connection.Client, connection.Streams);
        _output = output;
        _interactive = interactive;
        _timeout = timeout;
        _settle = settle;
        _time = time;
        _ready = ready;
        _stopSandbox = stopSandbox;
    }

    /// <summary>The exit code once the monitor finished (all settled or timed out); null while running or when interrupted.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Starts the watch and waits for its first list (so no event after it is missed).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = _time.GetTimestamp();
        _watcher = new ResourceWatcher<HandoffFunction>(
            WatchSources.HandoffFunctions(_streams, "", TimeSpan.FromSeconds(60)), _time, TimeSpan.Zero,
            NullLogger<ResourceWatcher<HandoffFunction>>.Instance);
        _watcher.Changed += (type, f) => _events.Writer.TryWrite((type, f));
        _watch = Task.Run(() => _watcher.RunAsync(_stopping.Token), CancellationToken.None);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _watcher.WaitForSyncAsync(linked.Token);
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Called just before the manifests are applied: the makespan counts from here.</summary>
    public void MarkApplyStarting() => _started = _time.GetTimestamp();

    /// <summary>Called once every manifest is applied: only then can "every function finished" be decided.</summary>
    public void MarkApplied()
    {
        _applied = true;
        _events.Writer.TryWrite((WatchEventType.Bookmark, new HandoffFunction()));
    }

    /// <summary>Prints the summary of what was seen last (after Ctrl-C / SIGTERM).</summary>
    public async Task WriteInterruptedAsync()
    {
        ClearTable();
        await _output.WriteLineAsync("interrupted before every function finished");
        await WriteLinesAsync(FunctionProgress.Summary(FunctionProgress.Classify(_functions.Values), Makespan()));
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _ready.WaitAsync(cancellationToken);
            var deadline = _started + (long)(_timeout.TotalSeconds * _time.TimestampFrequency);
            long lastChange = _time.GetTimestamp();
            await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"waiting until every HandoffFunction is Succeeded or Failed (timeout {FunctionProgress.Duration(_timeout)})"));
            while (true)
            {
                if (Drain())
                {
                    lastChange = _time.GetTimestamp();
                    Render();
                }

                var views = FunctionProgress.Classify(_functions.Values);
                var pollPodWork = false;
                if (_applied && FunctionProgress.AllSettled(views))
                {
                    var anyStuck = views.Any(v => v.Stuck) || views.Count == 0;
                    var quietFor = _time.GetElapsedTime(lastChange);
                    if ((!anyStuck || quietFor >= _settle) && await ConfirmedByListAsync(cancellationToken))
                    {
                        if (await PodWorkAsync(cancellationToken) is { } work && work.All(w => w.Settled))
                        {
                            await FinishAsync(views, work, views.All(v => v.Succeeded) && work.All(w => w.Succeeded)
                                ? UntilDoneExitCodes.AllSucceeded
                                : UntilDoneExitCodes.NotAllSucceeded);
                            return;
                        }

                        pollPodWork = true;
                    }
                }

                var now = _time.GetTimestamp();
                if (now >= deadline)
                {
                    ClearTable();
                    await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"error: timed out after {FunctionProgress.Duration(_timeout)} (--timeout) with {views.Count(v => !v.Settled)} of {views.Count} functions still in progress"));
                    await FinishAsync(views, [], UntilDoneExitCodes.TimedOut);
                    return;
                }

                // Wake on the next event, when stuck functions have been quiet long enough, or at the deadline.
                var wait = TimeSpan.FromSeconds((deadline - now) / (double)_time.TimestampFrequency);
                if (_applied && FunctionProgress.AllSettled(views))
                {
                    var settleLeft = _settle - _time.GetElapsedTime(lastChange);
                    wait = settleLeft < wait ? settleLeft : wait;
                }

                if (pollPodWork && PodWorkPoll < wait)
                {
                    wait = PodWorkPoll;
                }

                await WaitForEventAsync(wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted: the caller prints what was seen.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ClearTable();
            await _output.WriteLineAsync($"error: --until-done stopped watching: {e.GetType().Name}: {e.Message}");
            ExitCode = UntilDoneExitCodes.Error;
            _stopSandbox();
        }
    }

    private async Task WaitForEventAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(wait);
        try
        {
            await _events.Reader.WaitToReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait ended: re-evaluate.
        }
    }

    /// <summary>Applies queued watch events; prints one line per phase change when not on a terminal. True when something changed.</summary>
    private bool Drain()
    {
        var changed = false;
        while (_events.Reader.TryRead(out var ev))
        {
            if (ev.Type == WatchEventType.Bookmark)
            {
                changed = true;
                continue;
            }

            var key = FunctionProgress.KeyOf(ev.Function);
            if (ev.Type == WatchEventType.Deleted)
            {
                changed |= _functions.Remove(key);
                if (!_interactive)
                {
                    _output.WriteLine($"[{FunctionProgress.Seconds(_time.GetElapsedTime(_started)),8}] {key} deleted");
                }

                continue;
            }

            _functions.TryGetValue(key, out var previous);
            _functions[key] = ev.Function;
            var phase = ev.Function.Status?.Phase;
            if (previous is null || previous.Status?.Phase != phase || previous.Status?.Node != ev.Function.Status?.Node ||
                previous.Status?.Attempts != ev.Function.Status?.Attempts || previous.Status?.Result != ev.Function.Status?.Result)
            {
                changed = true;
            }

            if (FunctionPhases.IsTerminal(phase) && !FunctionPhases.IsTerminal(previous?.Status?.Phase))
            {
                _lastTerminal = _time.GetTimestamp();
            }

            if (!_interactive && phase is not null && previous?.Status?.Phase != phase)
            {
                _output.WriteLine(FunctionProgress.PhaseLine(_time.GetElapsedTime(_started), ev.Function));
            }
        }

        return changed;
    }

    /// <summary>Redraws the table in place (terminal only).</summary>
    private void Render()
    {
        if (!_interactive)
        {
            return;
        }

        var views = FunctionProgress.Classify(_functions.Values);
        var lines = FunctionProgress.Table(views).ToList();
        var done = views.Count(v => v.Phase is { } p && p.IsTerminal());
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{done}/{views.Count} finished, {FunctionProgress.Seconds(_time.GetElapsedTime(_started))}"));
        ClearTable();
        foreach (var line in lines)
        {
            _output.WriteLine(line);
        }

        _output.Flush();
        _renderedLines = lines.Count;
    }

    private void ClearTable()
    {
        if (_interactive && _renderedLines > 0)
        {
            // CSI n F: cursor to the start of the line n lines up; CSI J: erase to the end of the screen.
            _output.Write(string.Create(CultureInfo.InvariantCulture, $"\u001b[{_renderedLines}F\u001b[J"));
            _renderedLines = 0;
        }
    }

    /// <summary>The watch says everything settled; a fresh list must agree (same functions, same conclusion).</summary>
    private async Task<bool> ConfirmedByListAsync(CancellationToken cancellationToken)
    {
        HttpOperationResponse<HandoffFunctionList> response;
        try
        {
            response = await _client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<HandoffFunctionList>(
                HandoffApi.Group, HandoffApi.Version, HandoffApi.FunctionPlural, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            return false; // Asked again on the next pass of the loop.
        }

        using var disposeResponse = response;
        var listed = FunctionProgress.Classify(response.Body.Items);
        return listed.Count == _functions.Count &&
               listed.All(v => _functions.ContainsKey(v.Key)) &&
               FunctionProgress.AllSettled(listed);
    }

    /// <summary>The Jobs and plain pods that name Handoff, listed now; null when the list failed (asked again later).</summary>
    private async Task<IReadOnlyList<PodWorkView>?> PodWorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            var jobs = await _client.BatchV1.ListJobForAllNamespacesAsync(cancellationToken: cancellationToken);
            var pods = await _client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: cancellationToken);
            return PodWorkProgress.Classify(jobs.Items, pods.Items);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            return null;
        }
    }

    private async Task FinishAsync(IReadOnlyList<FunctionView> views, IReadOnlyList<PodWorkView> work, int exitCode)
    {
        ClearTable();
        await WriteLinesAsync([.. FunctionProgress.Summary(views, Makespan()), .. PodWorkProgress.Summary(work)]);
        await _output.FlushAsync(CancellationToken.None);
        ExitCode = exitCode;
        _stopSandbox();
    }

    private TimeSpan? Makespan() =>
        _lastTerminal is { } last ? TimeSpan.FromSeconds((last - _started) / (double)_time.TimestampFrequency) : null;

    private async Task WriteLinesAsync(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await _output.WriteLineAsync(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            await _watch;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
        (_client as IDisposable)?.Dispose();
    }
}
