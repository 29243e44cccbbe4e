using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;

namespace Handoff.Operator.Tests;

/// <summary>The real binary (<c>dotnet Handoff.Operator.dll</c> with flags), as the container image runs it.</summary>
public sealed class OperatorProcessTests
{

    [Fact]
    public async Task The_binary_takes_its_flags_serves_probes_and_metrics_logs_JSON_schedules_and_stops_on_SIGTERM()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", new Dictionary<string, string> { ["cpu"] = "1" });
        var dir = Directory.CreateTempSubdirectory("handoff-op-proc-");
        var (metricsPort, probePort) = (FreePort.Next(), FreePort.Next());
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Handoff.Operator.dll"),
            "--kubeconfig", cluster.Server.WriteKubeconfig(Path.Combine(dir.FullName, "kubeconfig"), token: cluster.OperatorToken),
            "--namespace", cluster.Namespace, "--scheduler-name", "handoff-test",
            "--metrics-address", $"127.0.0.1:{metricsPort}", "--metrics-secure=false", "--probe-address=127.0.0.1:" + probePort,
        })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HANDOFF_LOG_LEVEL"] = "Information";
        var lines = new ConcurrentQueue<string>();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue("stderr: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient();
            await Wait.UntilAsync(
                async () => (await http.GetAsync(new Uri($"http://127.0.0.1:{probePort}/readyz"), ct)).StatusCode == HttpStatusCode.OK,
                "/readyz answers 200", TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{probePort}/healthz"), ct)).StatusCode);

            await cluster.CreateFunctionAsync(SandboxCluster.Function("f", new Dictionary<string, string> { ["cpu"] = "1" }));
            var pod = await cluster.WaitForBoundPodAsync("f");
            Assert.Equal("handoff-test", pod.Spec.SchedulerName);
            await cluster.WaitForPhaseAsync("f", FunctionPhases.Scheduled);
            var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"), ct);
            Assert.Contains("handoff_scheduling_attempts_total{result=\"scheduled\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("handoff_node_allocated{node=\"w1\",resource=\"cpu\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("process_working_set_bytes ", metrics, StringComparison.Ordinal);
            Assert.Contains("dotnet_total_memory_bytes ", metrics, StringComparison.Ordinal);
            var operatorWrites = cluster.Server.Requests.Snapshot()
                .Where(r => r.Key.UserAgent.StartsWith("handoff-operator/0.1.0", StringComparison.Ordinal) && r.Key.IsWrite)
                .Select(r => r.Key.Verb + " " + r.Key.Resource).ToList();
            Assert.Contains("create pods", operatorWrites);
            Assert.Contains("create pods/binding", operatorWrites);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
            Assert.Equal(0, process.ExitCode);
            var json = lines.Where(l => l.StartsWith('{')).ToList();
            Assert.NotEmpty(json);
            Assert.All(json, l => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(l).RootElement.ValueKind));
            Assert.All(json, AssertRfc3339Timestamp);
            Assert.Contains(json, l => l.Contains("Bound", StringComparison.Ordinal) && l.Contains("f-1", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.StartsWith("stderr:", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            dir.Delete(recursive: true);
        }
    }

    /// <summary>The line's "Timestamp" is RFC 3339 in UTC (nothing before or after it), and about now.</summary>
    private static void AssertRfc3339Timestamp(string line)
    {
        var timestamp = JsonDocument.Parse(line).RootElement.GetProperty("Timestamp").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", timestamp);
        var parsed = DateTimeOffset.ParseExact(timestamp, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(parsed, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task The_binary_prints_its_help_with_every_flag_and_exits_0()
    {
        var run = await RunBinaryAsync(["--help"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        var help = OperatorOptionsTests.Normalize(run.Stdout);
        Assert.All(OperatorOptionsBinder.Flags, flag =>
        {
            Assert.Contains($"{flag.Name} <{flag.ValueName}> {flag.HelpText}", help, StringComparison.Ordinal);
            Assert.Contains($"[default: {flag.Default}]", flag.HelpText, StringComparison.Ordinal);
            Assert.All(flag.EnvironmentVariables, variable => Assert.Contains(variable, flag.HelpText, StringComparison.Ordinal));
        });
        Assert.Equal(OperatorOptionsBinder.Usage, run.Stdout);
    }

    [Theory]
    [InlineData("--no-such-flag", null, "error: Unrecognized command or argument '--no-such-flag'.")]
    [InlineData("--default-strategy=Random", null, "error: --default-strategy: 'Random' is not one of FirstAvailable, LoadBalanced, BestFit")]
    [InlineData("--namespace", null, "error: Required argument missing for option: '--namespace'.")]
    [InlineData(null, "maybe", "error: --leader-elect: 'maybe' is not true or false (set by the environment variable HANDOFF_LEADER_ELECT)")]
    public async Task The_binary_reports_a_bad_flag_or_variable_with_the_usage_and_exits_2(string? arg, string? leaderElect, string expected)
    {
        var run = await RunBinaryAsync(arg is null ? [] : [arg], new Dictionary<string, string?> { ["HANDOFF_LEADER_ELECT"] = leaderElect });
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith(expected, run.Stderr, StringComparison.Ordinal);
        Assert.EndsWith(OperatorOptionsBinder.Usage, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    private static Task<ProcessResult> RunBinaryAsync(string[] args, IReadOnlyDictionary<string, string?>? environment = null) =>
        Processes.RunAsync(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "Handoff.Operator.dll"), .. args], TimeSpan.FromSeconds(60),
            TestContext.Current.CancellationToken, environment: OperatorVariablesCleared(environment));

    /// <summary>No HANDOFF_* variable of the test's own environment leaks into the binary: only those given.</summary>
    private static Dictionary<string, string?> OperatorVariablesCleared(IReadOnlyDictionary<string, string?>? environment)
    {
        var variables = OperatorOptionsBinder.Flags.SelectMany(f => f.EnvironmentVariables).ToDictionary(v => v, _ => (string?)null, StringComparer.Ordinal);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return variables;
    }

    [Fact]
    public async Task StartInProcessAsync_as_handoff_sandbox_calls_it_schedules_and_stops_cleanly_on_dispose()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", new Dictionary<string, string> { ["cpu"] = "1" });
        var dir = Directory.CreateTempSubdirectory("handoff-op-inproc-");
        try
        {
            var kubeconfig = cluster.Server.WriteKubeconfig(Path.Combine(dir.FullName, "kubeconfig"));
            var running = await OperatorHost.StartInProcessAsync(kubeconfig, cancellationToken: TestContext.Current.CancellationToken);
            Assert.NotNull(running);
            await cluster.CreateFunctionAsync(SandboxCluster.Function("f", new Dictionary<string, string> { ["cpu"] = "1" }));
            await cluster.WaitForPhaseAsync("f", FunctionPhases.Scheduled);
            await running.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
