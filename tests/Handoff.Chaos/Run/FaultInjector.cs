using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Chaos.Audit;
using Handoff.Chaos.Cluster;
using Handoff.Chaos.Faults;
using Handoff.Chaos.Workload;
using Handoff.Sandbox;

namespace Handoff.Chaos.Run;

/// <summary>
/// Carries out a fault plan at its times. Process faults run one at a time (each until its replica is back or
/// continued) and aim at the lease holder; "after a create/bind" arms a trigger on the API server's write journal that
/// signals the leader on the writer's thread, right after the API server accepted its pod or binding and before the
/// operator has the answer. API faults go through the sandbox's admin endpoint and aim at the operators' user agent;
/// overlapping latency windows keep the largest. Capacity cuts and cordons are <see cref="SpecFaults"/>.
/// </summary>
public sealed class FaultInjector : IDisposable
{
    private const string OperatorAgent = AuditExpectations.OperatorAgentPrefix;
    private static readonly string?[] WatchResources = [null, "pods", "handofffunctions", "handoffnodes", "leases"];
    private static readonly string?[] Verbs = [null, "create", "patch", "update", "list", "watch", "get"];
    private static readonly string?[] Resources = [null, "pods", "pods/binding", "handofffunctions", "leases", "events"];

    private readonly ChaosCluster _cluster;
    private readonly OperatorFleet _fleet;
    private readonly WorkloadDriver _driver;
    private readonly ChaosWorkload _workload;
    private readonly ChaosSettings _settings;
    private readonly SemaphoreSlim _processFaults = new(1, 1);
    private readonly Lock _lock = new();
    private readonly List<double> _latencies = [];
    private readonly SpecFaults _specs;
    private readonly ConcurrentQueue<string> _timeline = new();
    private readonly ConcurrentDictionary<FaultKind, int> _injected = new();
    private readonly ConcurrentBag<PauseEpisode> _pauses = [];
    private Stopwatch _clock = new();
    private Trigger? _trigger;
    private int _skipped;
    private int _triggerTimeouts;

    public FaultInjector(ChaosCluster cluster, OperatorFleet fleet, WorkloadDriver driver, ChaosWorkload workload, ChaosSettings settings)
    {
        _cluster = cluster;
        _fleet = fleet;
        _driver = driver;
        _workload = workload;
        _settings = settings;
        _specs = new SpecFaults(cluster);
        cluster.Server.Journal.Written += OnWrite;
    }

    private sealed record Trigger(string Request, string Identity, int Signal, TaskCompletionSource<long> Fired);

    /// <summary>The faults carried out, by kind.</summary>
    public IReadOnlyDictionary<FaultKind, int> Injected => _injected;

    /// <summary>Planned faults that could not be carried out (no leader to aim at).</summary>
    public int Skipped => _skipped;

    /// <summary>Triggered faults that fell back to "now" because the leader made no such write within 5 s.</summary>
    public int TriggerTimeouts => _triggerTimeouts;

    public IReadOnlyList<PauseEpisode> Pauses => [.. _pauses.OrderBy(p => p.StoppedAt)];

    /// <summary>What happened when, for the artifacts of a run.</summary>
    public IEnumerable<string> Timeline => _timeline;

    public async Task RunAsync(FaultPlan plan, Stopwatch clock, CancellationToken cancellationToken)
    {
        _clock = clock;
        var running = new List<Task>();
        foreach (var fault in plan.Faults)
        {
            var due = fault.At - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }

            running.Add(Task.Run(() => TryExecuteAsync(fault, cancellationToken), cancellationToken));
        }

        await Task.WhenAll(running);
        await _cluster.AdminAsync(HttpMethod.Delete, "sandbox/faults", null, cancellationToken);
    }

    public void Dispose()
    {
        _cluster.Server.Journal.Written -= OnWrite;
        _processFaults.Dispose();
    }

    /// <summary>A fault that cannot be carried out (the machine too busy to answer in time) is skipped, not the run.</summary>
    private async Task TryExecuteAsync(PlannedFault fault, CancellationToken ct)
    {
        try
        {
            await ExecuteAsync(fault, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Skip(fault, $"failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task ExecuteAsync(PlannedFault fault, CancellationToken ct)
    {
        switch (fault.Kind)
        {
            case FaultKind.KillAtRandom or FaultKind.TermAtRandom or FaultKind.PauseLeader
                or FaultKind.KillAfterCreate or FaultKind.KillAfterBind or FaultKind.TermAfterCreate or FaultKind.TermAfterBind:
                await ProcessFaultAsync(fault, ct);
                return;
            case FaultKind.WatchDrop:
                var resource = WatchResources[fault.Pick % WatchResources.Length];
                await _cluster.AdminAsync(HttpMethod.Post, "sandbox/faults/close-watches", resource is null ? null : new JsonObject { ["resource"] = resource }, ct);
                Done(fault, $"watches of {resource ?? "every resource"} closed");
                return;
            case FaultKind.GoneStorm:
                for (var i = 0; i < fault.Repeat; i++)
                {
                    await _cluster.AdminAsync(HttpMethod.Post, "sandbox/faults/gone-storm", null, ct);
                    await Task.Delay(150, ct);
                }

                Done(fault, $"{fault.Repeat} x history expired and every watch closed");
                return;
            case FaultKind.ErrorBurst or FaultKind.ThrottleBurst:
                var (verb, target) = (Verbs[fault.Pick % Verbs.Length], Resources[fault.Pick / Verbs.Length % Resources.Length]);
                var status = fault.Kind == FaultKind.ErrorBurst ? 500 : 429;
                await _cluster.AdminAsync(HttpMethod.Post, "sandbox/faults/fail", new JsonObject
                {
                    ["status"] = status,
                    ["milliseconds"] = (int)fault.Duration.TotalMilliseconds,
                    ["verb"] = verb,
                    ["resource"] = target,
                    ["userAgent"] = OperatorAgent,
                }, ct);
                Done(fault, $"{status} for {verb ?? "every verb"} on {target ?? "every resource"}");
                return;
            case FaultKind.Latency:
                await LatencyAsync(fault, ct);
                return;
            case FaultKind.CapacityCut:
                var cut = _workload.Nodes[fault.Pick % _workload.Nodes.Count];
                await _specs.CutAsync(cut, 0.25 + (fault.Amount * 0.4), fault.Duration, capacity => Done(fault, $"{cut.Name} capacity cut to {capacity}"), ct);
                return;
            case FaultKind.Cordon:
                var cordoned = _workload.Nodes[fault.Pick % _workload.Nodes.Count];
                await _specs.CordonAsync(cordoned.Name, fault.Duration, () => Done(fault, $"{cordoned.Name} cordoned"), ct);
                return;
            case FaultKind.DeleteAndRecreate:
                var candidates = _workload.Functions.Where(f => f.Arrival <= fault.At - TimeSpan.FromMilliseconds(500)).ToList();
                if (candidates.Count == 0)
                {
                    Skip(fault, "no function has arrived yet");
                    return;
                }

                var name = candidates[fault.Pick % candidates.Count].Name;
                Done(fault, $"deleting {name}, re-created after {fault.Duration.TotalMilliseconds:F0}ms");
                await _driver.DeleteAndRecreateAsync(name, fault.Duration, ct);
                return;
        }
    }

    private async Task ProcessFaultAsync(PlannedFault fault, CancellationToken ct)
    {
        await _processFaults.WaitAsync(ct);
        try
        {
            var leader = await _fleet.AwaitLeaderAsync(ct);
            if (leader is not { } l)
            {
                Skip(fault, "no running leader");
                return;
            }

            var target = fault.TargetsStandby ? _fleet.Current.FirstOrDefault(r => r != l.Replica && !r.HasExited) ?? l.Replica : l.Replica;
            switch (fault.Kind)
            {
                case FaultKind.PauseLeader:
                    // With a standby, pause only once it is ready: the point is that it takes over meanwhile.
                    if (_fleet.Current.Count > 1 && !await _fleet.AwaitStandbyAsync(l.Replica, ct))
                    {
                        Skip(fault, "no standby became ready");
                        return;
                    }

                    leader = await _fleet.AwaitLeaderAsync(ct);
                    if (leader is not { } current)
                    {
                        Skip(fault, "no running leader");
                        return;
                    }

                    await PauseAsync(fault, current.Replica, current.Identity);
                    return;
                case FaultKind.KillAtRandom or FaultKind.TermAtRandom:
                    var signal = fault.Kind == FaultKind.KillAtRandom ? Signals.SigKill : Signals.SigTerm;
                    target.Signal(signal);
                    Done(fault, $"{(signal == Signals.SigKill ? "SIGKILL" : "SIGTERM")} {target.Name}{(target == l.Replica ? " (leader)" : " (standby)")} at rv {_cluster.Server.ResourceVersion}");
                    break;
                default:
                    await TriggeredAsync(fault, l.Replica, l.Identity, ct);
                    break;
            }

            // A killed replica is replaced after the planned delay; a terminated one once it has stopped by itself.
            if (!await target.WaitForExitAsync(TimeSpan.FromSeconds(15)))
            {
                target.Signal(Signals.SigKill);
                await target.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }

            await Task.Delay(fault.Duration, ct);
            _fleet.Replace(target);
        }
        finally
        {
            _processFaults.Release();
        }
    }

    private async Task TriggeredAsync(PlannedFault fault, OperatorReplica leader, string identity, CancellationToken ct)
    {
        var request = fault.Kind is FaultKind.KillAfterCreate or FaultKind.TermAfterCreate ? "create pods" : "create pods/binding";
        var signal = fault.Kind is FaultKind.KillAfterCreate or FaultKind.KillAfterBind ? Signals.SigKill : Signals.SigTerm;
        var trigger = new Trigger(request, identity, signal, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_lock)
        {
            _trigger = trigger;
        }

        var name = signal == Signals.SigKill ? "SIGKILL" : "SIGTERM";
        try
        {
            var rv = await trigger.Fired.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);
            Done(fault, $"{name} {leader.Name} right after the API server accepted its {request} at rv {rv}");
        }
        catch (TimeoutException)
        {
            lock (_lock)
            {
                _trigger = null;
            }

            Interlocked.Increment(ref _triggerTimeouts);
            leader.Signal(signal);
            Done(fault, $"{name} {leader.Name}: it made no {request} within 5 s, signalled at rv {_cluster.Server.ResourceVersion}");
        }
    }

    private async Task PauseAsync(PlannedFault fault, OperatorReplica leader, string identity)
    {
        leader.Paused = true;
        leader.Signal(Signals.SigStop);
        var stopped = _cluster.Server.ResourceVersion;
        // Past its lease: the standby (if any) takes over meanwhile.
        await Task.Delay(_settings.LeaseDuration + fault.Duration);
        var before = WriteRequests(identity);
        leader.Signal(Signals.SigCont);
        leader.Paused = false;
        var continued = _cluster.Server.ResourceVersion;
        // What it sends once it runs again, before it can have the lease back: its fence must stop every write.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var sent = WriteRequests(identity).Select(r => (r.Key, Count: r.Value - before.GetValueOrDefault(r.Key))).Where(r => r.Count > 0).ToList();
        var ledAgain = await _cluster.LeaseHolderAsync(OperatorFleet.LeaseNamespace, OperatorFleet.LeaseName, CancellationToken.None) == identity;
        var kinds = string.Join(", ", sent.Select(r => $"{r.Count} × {r.Key}"));
        _pauses.Add(new PauseEpisode(identity, stopped, continued, ledAgain ? null : sent.Sum(r => r.Count), kinds));
        Done(fault, $"SIGSTOP {leader.Name} (leader) at rv {stopped}, SIGCONT at rv {continued} after {(_settings.LeaseDuration + fault.Duration).TotalMilliseconds:F0}ms; " +
            (ledAgain ? "it led again within 3 s" : $"{sent.Sum(r => r.Count)} write request(s) from it in the 3 s after{(kinds.Length > 0 ? ": " + kinds : "")}"));
    }

    /// <summary>Write requests (lease updates aside) the API server has counted from the replica with this lease identity, by verb and resource.</summary>
    private Dictionary<string, long> WriteRequests(string identity) => _cluster.Server.Requests.Snapshot()
        .Where(r => r.Key.IsWrite && !r.Key.Resource.StartsWith("leases", StringComparison.Ordinal) && ChaosAuditor.OperatorIdentity(r.Key.UserAgent) == identity)
        .GroupBy(r => r.Key.Verb + " " + r.Key.Resource, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Sum(r => r.Value), StringComparer.Ordinal);

    private async Task LatencyAsync(PlannedFault fault, CancellationToken ct)
    {
        var ms = Math.Round(50 + (fault.Amount * 250));
        lock (_lock)
        {
            _latencies.Add(ms);
        }

        await SetLatencyAsync(ct);
        Done(fault, $"{ms}ms latency for the operators");
        await Task.Delay(fault.Duration, ct);
        lock (_lock)
        {
            _latencies.Remove(ms);
        }

        await SetLatencyAsync(ct);
    }

    private Task SetLatencyAsync(CancellationToken ct)
    {
        double ms;
        lock (_lock)
        {
            ms = _latencies.Count == 0 ? 0 : _latencies.Max();
        }

        return _cluster.AdminAsync(HttpMethod.Post, "sandbox/faults/latency", new JsonObject { ["milliseconds"] = (int)ms, ["userAgent"] = OperatorAgent }, ct);
    }

    /// <summary>On the API server's writer thread: the armed trigger's write by the leader → signal it now.</summary>
    private void OnWrite(SandboxWrite write)
    {
        var trigger = Volatile.Read(ref _trigger);
        if (trigger is null || write.Request != trigger.Request || write.Namespace != _workload.Namespace ||
            ChaosAuditor.OperatorIdentity(write.UserAgent) != trigger.Identity)
        {
            return;
        }

        lock (_lock)
        {
            if (!ReferenceEquals(_trigger, trigger))
            {
                return;
            }

            _trigger = null;
        }

        _fleet.WithIdentity(trigger.Identity)?.Signal(trigger.Signal);
        trigger.Fired.TrySetResult(write.ResourceVersion);
    }

    private void Done(PlannedFault fault, string what)
    {
        _injected.AddOrUpdate(fault.Kind, 1, (_, n) => n + 1);
        _timeline.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,7:F2}s {fault.Kind}: {what}"));
    }

    private void Skip(PlannedFault fault, string why)
    {
        Interlocked.Increment(ref _skipped);
        _timeline.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,7:F2}s {fault.Kind} skipped: {why}"));
    }
}
