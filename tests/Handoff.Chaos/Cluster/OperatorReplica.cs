using System.Diagnostics;
using System.Globalization;

namespace Handoff.Chaos.Cluster;

/// <summary>
/// One run of the real operator binary (<c>dotnet Handoff.Operator.dll</c>, or a published executable such as the image's) in a process of its
/// own, with leader election and the chaos run's lease timings. <c>POD_NAME</c> is <see cref="Name"/>, so its lease
/// identity — and its <c>User-Agent</c>, which carries the identity — starts with it. Its log goes to a file.
/// </summary>
public sealed class OperatorReplica : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private bool _closed;

    private readonly Uri _ready;

    private OperatorReplica(string name, Process process, StreamWriter log, Uri ready)
    {
        Name = name;
        _process = process;
        _log = log;
        _ready = ready;
    }

    /// <summary>e.g. <c>op-a-3</c>: slot a, its third process.</summary>
    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Set while SIGSTOPped.</summary>
    public bool Paused { get; set; }

    /// <param name="binary">An executable, or a <c>.dll</c> run with <c>dotnet</c>; null = the one built next to the runner.</param>
    public static OperatorReplica Start(string name, string? binary, string kubeconfig, string logPath, TimeSpan lease, TimeSpan renew, TimeSpan retry)
    {
        binary ??= Path.Combine(AppContext.BaseDirectory, "Handoff.Operator.dll");
        if (!File.Exists(binary))
        {
            throw new FileNotFoundException("the operator binary is built next to the chaos runner", binary);
        }

        var probePort = FreePort();
        var managed = binary.EndsWith(".dll", StringComparison.Ordinal);
        var psi = new ProcessStartInfo(managed ? "dotnet" : binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (managed)
        {
            psi.ArgumentList.Add(binary);
        }

        foreach (var arg in new[]
        {
            "--kubeconfig", kubeconfig, "--leader-elect", "--lease-name", "handoff-chaos", "--lease-namespace", "default",
            "--lease-duration", Go(lease), "--renew-deadline", Go(renew), "--retry-period", Go(retry),
            "--metrics-address", "", "--probe-address", "127.0.0.1:" + probePort.ToString(CultureInfo.InvariantCulture), "--log-level", "Information",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["POD_NAME"] = name;
        // Two replicas and the sandbox share two cores: keep each replica's GC to one heap.
        psi.Environment["DOTNET_GCHeapCount"] = "1";
        psi.Environment["DOTNET_gcServer"] = "0";
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + binary);
        var replica = new OperatorReplica(name, process, log, new Uri($"http://127.0.0.1:{probePort.ToString(CultureInfo.InvariantCulture)}/readyz"));
        process.OutputDataReceived += (_, e) => replica.Write(e.Data);
        process.ErrorDataReceived += (_, e) => replica.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return replica;
    }

    /// <summary>True once its <c>/readyz</c> answers 200: its informers have listed everything (a standby that can take over at once).</summary>
    public async Task<bool> IsReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        if (_process.HasExited || Paused)
        {
            return false;
        }

        try
        {
            using var response = await http.GetAsync(_ready, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false; // not listening yet, or too busy to answer within the client's timeout
        }
    }

    /// <summary>Sends a signal (SIGKILL, SIGTERM, SIGSTOP, SIGCONT); false when the process is already gone.</summary>
    public bool Signal(int signal) => !_process.HasExited && Signals.Send(_process.Id, signal);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops it as a kubelet would: SIGCONT if paused, SIGTERM, then SIGKILL after the grace period.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        Signal(Signals.SigCont);
        Signal(Signals.SigTerm);
        if (!await WaitForExitAsync(grace))
        {
            _process.Kill(entireProcessTree: true);
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        lock (_log)
        {
            _closed = true;
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (!_closed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Go(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
}
