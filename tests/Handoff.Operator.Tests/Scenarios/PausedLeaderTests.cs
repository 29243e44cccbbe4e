using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// A leader paused past its lease (issue "Never over-commit, whatever users do", case 10): the operator binary is
/// stopped with SIGSTOP while it works, a standby takes the lease over, and the old leader is continued with SIGCONT.
/// Its fence (the last renewal on the monotonic clock, older than the renew deadline) stops every write it had in mind:
/// the API server sees none from it after the standby started, and no function's terminal phase ever goes back.
/// </summary>
public sealed class PausedLeaderTests
{
    private const string StandbyAgent = "handoff-standby-b/1";

    [Fact]
    public async Task A_leader_paused_past_its_lease_writes_nothing_once_continued_and_no_terminal_phase_goes_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", new Dictionary<string, string> { ["cpu"] = "100" });
        await using var phases = new PhaseRecorder(cluster);
        var dir = Directory.CreateTempSubdirectory("handoff-paused-leader-");
        var metricsPort = FreePort.Next();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Handoff.Operator.dll"),
            "--kubeconfig", cluster.Server.WriteKubeconfig(Path.Combine(dir.FullName, "kubeconfig")),
            "--namespace", cluster.Namespace, "--leader-elect", "--lease-namespace", cluster.Namespace,
            "--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "500ms",
            "--metrics-address", $"127.0.0.1:{metricsPort}", "--metrics-secure=false", "--probe-address", "",
        })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["POD_NAME"] = "replica-a";
        using var leader = Process.Start(psi)!;
        leader.OutputDataReceived += (_, _) => { };
        leader.ErrorDataReceived += (_, _) => { };
        leader.BeginOutputReadLine();
        leader.BeginErrorReadLine();
        try
        {
            var lease = await Wait.ForAsync(
                async () => await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("handoff-operator", cluster.Namespace, cancellationToken: ct),
                l => l.Spec?.HolderIdentity?.StartsWith("replica-a_", StringComparison.Ordinal) == true, "the binary leads", TimeSpan.FromSeconds(30));

            // The standby runs in-process, with the same lease timings; its requests carry their own User-Agent, so the
            // API server's log tells the two apart.
            var standbyWrites = new ConcurrentQueue<DateTimeOffset>();
            var standby = await cluster.StartOperatorAsync(
                new OperatorOptions
                {
                    LeaderElect = true,
                    LeaseNamespace = cluster.Namespace,
                    Namespace = cluster.Namespace,
                    Identity = "replica-b",
                    LeaseDuration = TimeSpan.FromSeconds(4),
                    RenewDeadline = TimeSpan.FromSeconds(3),
                    RetryPeriod = TimeSpan.FromMilliseconds(500),
                },
                handlers: () => [new StandbyHandler(standbyWrites)]);
            await Wait.UntilAsync(() => standby.Operator.IsReady, "the standby's caches are synced");
            await using var kubelet = new TestKubelet(cluster, _ => new PodOutcome("ok"));
            await CreateAsync(cluster, "before", 10);
            await SucceededAsync(cluster, "before", 10);
            Assert.Empty(standbyWrites);

            // Work arrives and the leader is stopped in the middle of it, for longer than its lease.
            await CreateAsync(cluster, "burst", 10);
            Signal(leader, "STOP");
            await Wait.UntilAsync(() => standby.Operator.IsLeader, "the standby takes over", TimeSpan.FromSeconds(40));
            await SucceededAsync(cluster, "burst", 10);
            await CreateAsync(cluster, "during", 5);
            await SucceededAsync(cluster, "during", 5);
            Assert.NotEmpty(standbyWrites);

            // From here on the stopped leader may write nothing: requests that had passed its fence when it was stopped
            // may still arrive (a client cannot recall bytes it is sending), but the API server must accept none of them.
            var afterTakeover = cluster.Server.ResourceVersion;

            Signal(leader, "CONT");
            using var http = new HttpClient();
            await Wait.UntilAsync(
                async () => (await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"), ct)).Contains("\nhandoff_leader 0", StringComparison.Ordinal),
                "the continued replica knows it is not the leader", TimeSpan.FromSeconds(30));
            await CreateAsync(cluster, "late", 5);
            await SucceededAsync(cluster, "late", 5);

            var accepted = cluster.Server.Journal.Snapshot(afterTakeover)
                .Where(w => w.UserAgent.StartsWith("handoff-operator/", StringComparison.Ordinal) && !w.Resource.StartsWith("leases", StringComparison.Ordinal))
                .Select(w => $"{w.Request} {w.Name} at {w.ResourceVersion}").ToList();
            Assert.True(accepted.Count == 0, "the continued replica wrote: " + string.Join(", ", accepted) + "; its write requests: " + string.Join(", ", WritesOf(cluster)));
            Assert.Equal("replica-b", (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("handoff-operator", cluster.Namespace, cancellationToken: ct)).Spec.HolderIdentity);
            Assert.Empty(phases.Regressions);
            Assert.All(await cluster.ListFunctionsAsync(), f => Assert.Equal(FunctionPhases.Succeeded, f.Status.Phase));
            Assert.Equal(30, (await cluster.PodsAsync()).Count); // one pod per function: nothing placed twice
            Assert.Empty(kubelet.Errors);
        }
        finally
        {
            if (!leader.HasExited)
            {
                Signal(leader, "CONT");
                leader.Kill();
            }

            dir.Delete(recursive: true);
        }
    }

    private static async Task CreateAsync(SandboxCluster cluster, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function($"{prefix}-{i}", new Dictionary<string, string> { ["cpu"] = "1" }));
        }
    }

    private static async Task SucceededAsync(SandboxCluster cluster, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await cluster.WaitForPhaseAsync($"{prefix}-{i}", FunctionPhases.Succeeded, TimeSpan.FromSeconds(40));
        }
    }

    /// <summary>The binary's writes the API server served (all but the lease's), by verb and resource.</summary>
    private static Dictionary<string, long> WritesOf(SandboxCluster cluster) =>
        cluster.Server.Requests.Snapshot()
            .Where(r => r.Key.UserAgent.StartsWith("handoff-operator/", StringComparison.Ordinal) && r.Key.IsWrite && r.Key.Resource != "leases")
            .ToDictionary(r => r.Key.Verb + " " + r.Key.Resource, r => r.Value, StringComparer.Ordinal);

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Gives the standby's requests their own User-Agent and notes when each of its writes (but the lease's) was sent.</summary>
    private sealed class StandbyHandler(ConcurrentQueue<DateTimeOffset> writes) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.UserAgent.Clear();
            request.Headers.UserAgent.ParseAdd(StandbyAgent);
            if (request.Method != HttpMethod.Get && !request.RequestUri!.AbsolutePath.Contains("/leases", StringComparison.Ordinal))
            {
                writes.Enqueue(DateTimeOffset.UtcNow);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Watches the namespace's functions and notes every terminal phase that is followed by a non-terminal one.</summary>
    private sealed class PhaseRecorder : IAsyncDisposable
    {
        private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public PhaseRecorder(SandboxCluster cluster) => _loop = Task.Run(() => RunAsync(cluster, _stop.Token));

        public ConcurrentBag<string> Regressions { get; } = [];

        private async Task RunAsync(SandboxCluster cluster, CancellationToken ct)
        {
            string? rv = null;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    if (rv is null)
                    {
                        var list = await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<HandoffFunctionList>(
                            HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, cancellationToken: ct);
                        foreach (var f in list.Items)
                        {
                            Note(f);
                        }

                        rv = list.Metadata.ResourceVersion;
                    }

#pragma warning disable CS0618 // the typed response watch
                    var watch = cluster.Client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
                        HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, watch: true, resourceVersion: rv, cancellationToken: ct);
                    await foreach (var (type, f) in watch.WatchAsync<HandoffFunction, object>(cancellationToken: ct))
#pragma warning restore CS0618
                    {
                        if (type is WatchEventType.Added or WatchEventType.Modified)
                        {
                            Note(f);
                        }

                        rv = f.Metadata.ResourceVersion ?? rv;
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception)
                {
                    rv = null;
                }
            }
        }

        private void Note(HandoffFunction f)
        {
            var phase = f.Status?.Phase ?? "";
            var name = f.Metadata.Name;
            if (_last.TryGetValue(name, out var before) && before is FunctionPhases.Succeeded or FunctionPhases.Failed && phase != before)
            {
                Regressions.Add($"{name}: {before} -> {phase} (resourceVersion {f.Metadata.ResourceVersion})");
            }

            _last[name] = phase;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
