using System.Collections.Concurrent;
using System.Diagnostics;
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
            "--kubeconfig", cluster.Server.WriteKubeconfig(Path.Combine(dir.FullName, "kubeconfig")),
            "--namespace", cluster.Namespace, "--scheduler-name", "handoff-test",
            "--metrics-address", $"127.0.0.1:{metricsPort}", "--probe-address=127.0.0.1:" + probePort,
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
