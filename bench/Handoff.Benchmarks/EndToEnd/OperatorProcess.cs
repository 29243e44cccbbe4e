using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>The operator's memory at one instant: the process's resident set and peak, and the GC heap.</summary>
public sealed record OperatorMemory(long WorkingSetBytes, long PeakWorkingSetBytes, long ManagedHeapBytes);

/// <summary>
/// The real operator binary (<c>dotnet Handoff.Operator.dll</c>, as the container image runs it) in a process of its
/// own, so its working set is its own and not the benchmark's or the sandbox's.
/// </summary>
public sealed partial class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri _metrics;
    private readonly Queue<string> _lastLines = new();

    private OperatorProcess(Process process, Uri metrics)
    {
        _process = process;
        _metrics = metrics;
    }

    /// <summary>The operator's <c>/metrics</c> address.</summary>
    public Uri MetricsAddress => _metrics;

    /// <summary>The operator's process id (to attach dotnet-trace or dotnet-counters).</summary>
    public int Pid => _process.Id;

    /// <summary>The operator's log output, last lines (for a failed run's message).</summary>
    public string LastLines
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join(Environment.NewLine, _lastLines);
            }
        }
    }

    /// <summary>Starts the operator against <paramref name="kubeconfigPath"/> and waits until <c>/readyz</c> says 200.</summary>
    public static async Task<OperatorProcess> StartAsync(string kubeconfigPath, CancellationToken cancellationToken)
    {
        // HANDOFF_BENCH_OPERATOR picks another build of the operator, e.g. a ReadyToRun publish as the image ships.
        var binary = Environment.GetEnvironmentVariable("HANDOFF_BENCH_OPERATOR") is { Length: > 0 } chosen
            ? Path.GetFullPath(chosen)
            : Path.Combine(AppContext.BaseDirectory, "Handoff.Operator.dll");
        if (!File.Exists(binary))
        {
            throw new FileNotFoundException("no operator binary (built next to the benchmarks, or named by HANDOFF_BENCH_OPERATOR)", binary);
        }

        var (metricsPort, probePort) = (FreePort(), FreePort());
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            binary, "--kubeconfig", kubeconfigPath, "--leader-elect=false", "--log-level", "Warning",
            // Plain HTTP: the harness reads the metrics itself, without a token.
            "--metrics-address", $"127.0.0.1:{metricsPort}", "--metrics-secure=false", "--probe-address", $"127.0.0.1:{probePort}",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + binary);
        var op = new OperatorProcess(process, new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        process.OutputDataReceived += (_, e) => op.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => op.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = new Uri($"http://127.0.0.1:{probePort}/readyz");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the operator exited with {process.ExitCode}: {op.LastLines}");
            }

            try
            {
                using var response = await op._http.GetAsync(ready, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return op;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(120))
            {
                await op.DisposeAsync();
                throw new TimeoutException("the operator was not ready within 120 s: " + op.LastLines);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>Reads the working set and its peak from <c>/proc</c> and the GC heap from the operator's <c>/metrics</c>.</summary>
    public async Task<OperatorMemory> MemoryAsync(CancellationToken cancellationToken)
    {
        var status = await File.ReadAllTextAsync($"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status", cancellationToken);
        var metrics = await _http.GetStringAsync(_metrics, cancellationToken);
        return new OperatorMemory(
            ProcKilobytes(status, "VmRSS") * 1024,
            ProcKilobytes(status, "VmHWM") * 1024,
            (long)double.Parse(HeapLine().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>CPU time (user + system) the operator process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
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
