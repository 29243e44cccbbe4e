using System.Globalization;
using Handoff.Chaos.Run;

namespace Handoff.Chaos.Cluster;

/// <summary>
/// The operator replicas of a run: one or two slots (a, b), each running one process at a time; a replica that was
/// killed or stopped is replaced in its slot by a new process (<c>op-a-2</c>, <c>op-a-3</c>, …), as a Deployment's
/// pod would be.
/// </summary>
public sealed class OperatorFleet(ChaosCluster cluster, ChaosSettings settings, string logDirectory) : IAsyncDisposable
{
    public const string LeaseNamespace = "default";
    public const string LeaseName = "handoff-chaos";

    private readonly Lock _lock = new();
    private readonly Dictionary<char, OperatorReplica> _slots = [];
    private readonly Dictionary<char, int> _generations = [];
    private readonly List<OperatorReplica> _retired = [];

    /// <summary>Processes started so far.</summary>
    public int Starts { get; private set; }

    public void Start(int replicas)
    {
        for (var i = 0; i < replicas; i++)
        {
            StartIn((char)('a' + i));
        }
    }

    /// <summary>Starts the next process in the slot of <paramref name="replica"/> (which must have exited).</summary>
    public OperatorReplica Replace(OperatorReplica replica) => StartIn(replica.Name[3]);

    /// <summary>The current replica whose lease identity is <paramref name="identity"/> (its name, <c>_</c>, a random suffix).</summary>
    public OperatorReplica? WithIdentity(string? identity)
    {
        lock (_lock)
        {
            return identity is null ? null : _slots.Values.FirstOrDefault(r => identity.StartsWith(r.Name + "_", StringComparison.Ordinal));
        }
    }

    public IReadOnlyList<OperatorReplica> Current
    {
        get
        {
            lock (_lock)
            {
                return [.. _slots.Values];
            }
        }
    }

    /// <summary>The replica holding the lease now, with its identity; null when the holder is not a live, running replica.</summary>
    public async Task<(OperatorReplica Replica, string Identity)?> LeaderAsync(CancellationToken cancellationToken)
    {
        var holder = await cluster.LeaseHolderAsync(LeaseNamespace, LeaseName, cancellationToken);
        return WithIdentity(holder) is { HasExited: false, Paused: false } replica ? (replica, holder!) : null;
    }

    /// <summary>
    /// Waits (up to 20 s: a replaced single replica first waits out its predecessor's lease, and a new process takes
    /// seconds to start on a loaded machine) for a running leader.
    /// </summary>
    public async Task<(OperatorReplica Replica, string Identity)?> AwaitLeaderAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + (settings.LeaseDuration * 2) + TimeSpan.FromSeconds(14);
        while (DateTime.UtcNow < deadline)
        {
            if (await LeaderAsync(cancellationToken) is { } leader)
            {
                return leader;
            }

            await Task.Delay(100, cancellationToken);
        }

        return null;
    }

    /// <summary>Waits (up to 30 s) until a replica other than <paramref name="leader"/> is ready to take over; false if none is.</summary>
    public async Task<bool> AwaitStandbyAsync(OperatorReplica leader, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var replica in Current.Where(r => r != leader))
            {
                if (await replica.IsReadyAsync(http, cancellationToken))
                {
                    return true;
                }
            }

            await Task.Delay(200, cancellationToken);
        }

        return false;
    }

    /// <summary>Continues paused replicas and replaces exited ones, so that the run ends with every slot running.</summary>
    public void EnsureRunning()
    {
        foreach (var replica in Current)
        {
            if (replica.Paused)
            {
                replica.Signal(Signals.SigCont);
                replica.Paused = false;
            }

            if (replica.HasExited)
            {
                Replace(replica);
            }
        }
    }

    /// <summary>Stops every replica gracefully (SIGTERM, then SIGKILL after 10 s).</summary>
    public async Task StopAsync()
    {
        await Task.WhenAll(Current.Select(r => r.StopAsync(TimeSpan.FromSeconds(10))));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lock (_lock)
        {
            foreach (var replica in _slots.Values.Concat(_retired))
            {
                replica.Dispose();
            }

            _slots.Clear();
            _retired.Clear();
        }
    }

    private OperatorReplica StartIn(char slot)
    {
        lock (_lock)
        {
            var generation = _generations[slot] = _generations.GetValueOrDefault(slot) + 1;
            var name = $"op-{slot}-{generation.ToString(CultureInfo.InvariantCulture)}";
            var replica = OperatorReplica.Start(
                name, settings.OperatorBinary, cluster.Kubeconfig, Path.Combine(logDirectory, name + ".log"), settings.LeaseDuration, settings.RenewDeadline, settings.RetryPeriod);
            if (_slots.TryGetValue(slot, out var previous))
            {
                _retired.Add(previous);
            }

            _slots[slot] = replica;
            Starts++;
            return replica;
        }
    }
}
