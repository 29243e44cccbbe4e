using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>The operator's memory at one instant: the process's resident set and peak, and the GC heap.</summary>
public sealed record OperatorMemory(long WorkingSetBytes, long PeakWorkingSetBytes, long ManagedHeapBytes);

/// <summary>
/// The real operator binary (<c>dotnet Handoff.Operator.dll</c>, as the container image runs it, or a native
/// executable published with Native AOT) in a process of its own, so its working set is its own and not the
/// benchmark's or the sandbox's.
/// </summary>
/// <remarks>
/// Environment variables choose the build and the runtime settings under test, so every footprint experiment is the
/// same command with other variables: <c>HANDOFF_BENCH_OPERATOR</c> names another build (a <c>.dll</c> is run with
/// <c>dotnet</c>, anything else as an executable), <c>HANDOFF_BENCH_OPERATOR_ENV</c> adds variables to the operator's
/// environment only (<c>DOTNET_GCConserveMemory=5;DOTNET_TieredPGO=0</c>) — not to the benchmark's, whose sandbox
/// shares the machine.
/// </remarks>
public sealed partial class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri _metrics;
    private readonly Queue<string> _lastLines = new();

    private OperatorProcess(Process process, Uri metrics, long startedAt)
    {
        _process = process;
        _metrics = metrics;
        StartedAt = startedAt;
    }

    /// <summary>The operator's <c>/metrics</c> address.</summary>
    public Uri MetricsAddress => _metrics;

    /// <summary>The operator's process id (to attach dotnet-trace, dotnet-counters or dotnet-gcdump).</summary>
    public int Pid => _process.Id;

    /// <summary>When the process was started (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long StartedAt { get; }

    /// <summary>When <c>/readyz</c> first answered 200 (<see cref="Stopwatch.GetTimestamp"/>): every informer has listed.</summary>
    public long ReadyAt { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the process ends: a run waiting for the operator stops waiting at once if it died.</summary>
    public Task Exited => _process.WaitForExitAsync();

    /// <summary>
    /// The operator's log output, last lines, and its exit code if it has ended (for a failed run's message: an
    /// operator killed by a signal, e.g. SIGKILL = 137, leaves no log line).
    /// </summary>
    public string LastLines
    {
        get
        {
            string lines;
            lock (_lastLines)
            {
                lines = string.Join(Environment.NewLine, _lastLines);
            }

            return _process.HasExited
                ? $"the operator exited with {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}{(_process.ExitCode > 128 ? $" (signal {(_process.ExitCode - 128).ToString(CultureInfo.InvariantCulture)})" : "")}: {lines}"
                : lines;
        }
    }

    /// <summary>
    /// Flags left out of the operator's command line (<c>HANDOFF_BENCH_OPERATOR_OMIT</c>, separated by <c>;</c>): an
    /// older build refuses flags it does not know, e.g. round 1's operator <c>--metrics-secure=false</c> (its metrics
    /// were plain HTTP anyway) — how docs/performance.md compares it with the current one under this same harness.
    /// </summary>
    private static string[] Omitted() =>
        (Environment.GetEnvironmentVariable("HANDOFF_BENCH_OPERATOR_OMIT") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Starts the operator against <paramref name="kubeconfigPath"/> and waits until <c>/readyz</c> says 200. With
    /// <paramref name="leaderElect"/> it campaigns for the Lease <c>default/handoff-operator</c> (readiness means its
    /// caches are synced, not that it leads).
    /// </summary>
    public static async Task<OperatorProcess> StartAsync(string kubeconfigPath, bool leaderElect, CancellationToken cancellationToken)
    {
        var binary = Environment.GetEnvironmentVariable("HANDOFF_BENCH_OPERATOR") is { Length: > 0 } chosen
            ? Path.GetFullPath(chosen)
            : Path.Combine(AppContext.BaseDirectory, "Handoff.Operator.dll");
        if (!File.Exists(binary))
        {
            throw new FileNotFoundException("no operator binary (built next to the benchmarks, or named by HANDOFF_BENCH_OPERATOR)", binary);
        }

        var (metricsPort, probePort) = (FreePort(), FreePort());
        var managed = binary.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(managed ? "dotnet" : binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (managed ? [binary] : Array.Empty<string>()).Concat(
        [
            "--kubeconfig", kubeconfigPath, "--leader-elect=" + (leaderElect ? "true" : "false"), "--lease-namespace", "default",
            // Plain HTTP: the harness reads the metrics itself, without a token.
            "--log-level", "Warning", "--metrics-address", $"127.0.0.1:{metricsPort}", "--metrics-secure=false", "--probe-address", $"127.0.0.1:{probePort}",
        ]).Except(Omitted(), StringComparer.Ordinal))
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in ExtraEnvironment())
        {
            psi.Environment[name] = value;
        }

        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + binary);
        var op = new OperatorProcess(process, new Uri($"http://127.0.0.1:{metricsPort}/metrics"), startedAt);
        process.OutputDataReceived += (_, e) => op.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => op.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = new Uri($"http://127.0.0.1:{probePort}/readyz");
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(op.LastLines);
            }

            try
            {
                using var response = await op._http.GetAsync(ready, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    op.ReadyAt = Stopwatch.GetTimestamp();
                    return op;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (Stopwatch.GetElapsedTime(startedAt) > TimeSpan.FromSeconds(180))
            {
                // Read before disposing: a disposed process can no longer say whether it exited.
                var lines = op.LastLines;
                await op.DisposeAsync();
                throw new TimeoutException("the operator was not ready within 180 s: " + lines);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary><c>HANDOFF_BENCH_OPERATOR_ENV</c>: <c>NAME=value</c> pairs separated by <c>;</c>, for the operator only.</summary>
    public static IReadOnlyList<(string Name, string Value)> ExtraEnvironment() =>
        [.. (Environment.GetEnvironmentVariable("HANDOFF_BENCH_OPERATOR_ENV") ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2) is [var name, var value] && name.Length > 0
                ? (name, value)
                : throw new FormatException($"HANDOFF_BENCH_OPERATOR_ENV: '{pair}' is not NAME=value"))];

    /// <summary>Reads the working set and its peak from <c>/proc</c> and the GC heap from the operator's <c>/metrics</c>.</summary>
    public async Task<OperatorMemory> MemoryAsync(CancellationToken cancellationToken)
    {
        var status = await File.ReadAllTextAsync(ProcStatus, cancellationToken);
        var metrics = await _http.GetStringAsync(_metrics, cancellationToken);
        return new OperatorMemory(
            ProcKilobytes(status, "VmRSS") * 1024,
            ProcKilobytes(status, "VmHWM") * 1024,
            (long)double.Parse(HeapLine().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Reads the working set and its peak from <c>/proc</c> alone (the GC heap is reported as 0).</summary>
    public async Task<OperatorMemory> WorkingSetAsync(CancellationToken cancellationToken)
    {
        var status = await File.ReadAllTextAsync(ProcStatus, cancellationToken);
        return new OperatorMemory(ProcKilobytes(status, "VmRSS") * 1024, ProcKilobytes(status, "VmHWM") * 1024, 0);
    }

    private string ProcStatus => $"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status";

    /// <summary>CPU time (user + system) the operator process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>
    /// Ends the process: <paramref name="graceful"/> sends SIGTERM (as the kubelet does first: the operator stops and
    /// releases its Lease), else SIGKILL (a crash or a lost node: the Lease is left to expire). Waits for the exit.
    /// </summary>
    public async Task StopAsync(bool graceful, CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (graceful)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(cancellationToken);
        }
        else
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static long ProcKilobytes(string status, string field)
    {
        var line = status.Split('\n').First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the operator says it leads (<c>handoff_leader</c> on its <c>/metrics</c>).</summary>
    public async Task<bool> IsLeaderAsync(CancellationToken cancellationToken)
    {
        var metrics = await _http.GetStringAsync(_metrics, cancellationToken);
        return LeaderLine().Match(metrics) is { Success: true } m && m.Groups[1].Value == "1";
    }

    /// <summary>The working set now (<c>VmRSS</c>), cheap enough to sample often.</summary>
    public long WorkingSetBytes() =>
        ProcKilobytes(File.ReadAllText($"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status"), "VmRSS") * 1024;

    /// <summary>The operator's reconcile passes so far: how many, and their total duration.</summary>
    public async Task<(long Count, TimeSpan Total)> PassesAsync(CancellationToken cancellationToken)
    {
        var metrics = await _http.GetStringAsync(_metrics, cancellationToken);
        return (
            (long)double.Parse(PassCountLine().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(PassSumLine().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex(@"^dotnet_total_memory_bytes (\S+)$", RegexOptions.Multiline)]
    private static partial Regex HeapLine();

    [GeneratedRegex(@"^handoff_leader (\S+)$", RegexOptions.Multiline)]
    private static partial Regex LeaderLine();

    [GeneratedRegex(@"^handoff_reconcile_duration_seconds_count (\S+)$", RegexOptions.Multiline)]
    private static partial Regex PassCountLine();

    [GeneratedRegex(@"^handoff_reconcile_duration_seconds_sum (\S+)$", RegexOptions.Multiline)]
    private static partial Regex PassSumLine();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20)
            {
                _lastLines.Dequeue();
            }
        }
    }
}
