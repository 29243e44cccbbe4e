using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Runs <c>lead</c> while this replica holds the Lease, with a token cancelled when leadership is lost, and campaigns
/// again afterwards; without leader election, <c>lead</c> simply runs until shutdown. It is also the
/// <see cref="ILeaseFence"/>: the lease is fresh while its last successful renewal (on the monotonic clock) is younger
/// than the renew deadline — client-go's rule — so a replica that was paused past its lease stops writing before its
/// elector even notices. On shutdown a leader releases the lease (client-go's <c>ReleaseOnCancel</c>), so a standby or
/// the restarted replica takes over at once instead of after the lease expires.
/// </summary>
public sealed class LeadershipLoop(IKubernetes client, OperatorOptions options, TimeProvider time, ILogger<LeadershipLoop> logger) : ILeaseFence
{

    private long _lastRenewal = long.MinValue;

    public bool IsLeader { get; private set; }

    private TimeProvider Clock => time;

    private string Identity => options.Identity;

    public bool IsFresh => !options.LeaderElect || (IsLeader && Volatile.Read(ref _lastRenewal) != long.MinValue
        && time.GetElapsedTime(Volatile.Read(ref _lastRenewal)) < options.RenewDeadline);

    public void ThrowIfStale()
    {
        if (!IsFresh)
        {
            var message = IsLeader
                ? $"the last renewal of lease {options.LeaseNamespace}/{options.LeaseName} is older than the renew deadline ({options.RenewDeadline.TotalSeconds:0}s)"
                : $"not the leader of lease {options.LeaseNamespace}/{options.LeaseName}";
            Log.LeaseNotFresh(logger, message);
            throw new LeaseLostException(message);
        }
    }

    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        if (!options.LeaderElect)
        {
            IsLeader = true;
            try
            {
                await lead(cancellationToken);
            }
            finally
            {
                IsLeader = false;
            }

            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var leaseLock = new RenewalRecordingLock(new LeaseLock(client, options.LeaseNamespace, options.LeaseName, options.Identity), this);
            var config = new LeaderElectionConfig(leaseLock)
            {
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            };
            using var elector = new LeaderElector(config);
            using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task? leading = null;
            var led = false;
            elector.OnStartedLeading += () =>
            {
                IsLeader = led = true;
                Log.BecameLeader(logger, options.Identity, options.LeaseNamespace, options.LeaseName);
                leading = Task.Run(() => lead(term.Token), CancellationToken.None);
            };
            elector.OnStoppedLeading += () =>
            {
                IsLeader = false;
                Log.LostLeadership(logger, options.Identity, options.LeaseNamespace, options.LeaseName);
                term.Cancel();
            };
            elector.OnError += ex => Log.LeaderElectionError(logger, ex);
            try
            {
                await elector.RunUntilLeadershipLostAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Log.LeaderElectionFailed(logger, ex);
            }
            finally
            {
                IsLeader = false;
                await term.CancelAsync();
                if (leading is not null)
                {
                    try
                    {
                        await leading;
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                if (led && cancellationToken.IsCancellationRequested)
                {
                    await ReleaseAsync();
                }
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.RetryPeriod, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>
    /// Gives the lease up on shutdown, only if this replica still holds it. client-go clears the holder; this client's
    /// elector treats a Lease without a holder as one to create, so the Lease is deleted instead (with its
    /// resourceVersion as a precondition, so a lease another replica took meanwhile is left alone): the next candidate
    /// creates it at once.
    /// </summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(options.RenewDeadline);
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.LeaseNamespace, cancellationToken: timeout.Token);
            if (lease.Spec?.HolderIdentity != options.Identity)
            {
                return;
            }

            await client.CoordinationV1.DeleteNamespacedLeaseAsync(
                options.LeaseName, options.LeaseNamespace,
                new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = lease.Metadata.ResourceVersion } },
                cancellationToken: timeout.Token);
            Log.LeaseReleased(logger, options.Identity, options.LeaseNamespace, options.LeaseName);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.LeaseNotReleased(logger, ex, options.LeaseNamespace, options.LeaseName);
        }
    }

    /// <summary>The lease lock, noting each successful acquisition or renewal by this replica (for <see cref="IsFresh"/>).</summary>
    private sealed class RenewalRecordingLock(ILock inner, LeadershipLoop owner) : ILock
    {
        public string Identity => inner.Identity;

        public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) => inner.GetAsync(cancellationToken);

        public async Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
        {
            var started = owner.Clock.GetTimestamp();
            var ok = await inner.CreateAsync(record, cancellationToken);
            Note(ok, record, started);
            return ok;
        }

        public async Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
        {
            var started = owner.Clock.GetTimestamp();
            var ok = await inner.UpdateAsync(record, cancellationToken);
            Note(ok, record, started);
            return ok;
        }

        public string Describe() => inner.Describe();

        // The renewal counts from when it was sent, not when it was answered: the lease may have been granted that early.
        private void Note(bool ok, LeaderElectionRecord record, long started)
        {
            if (ok && record.HolderIdentity == owner.Identity)
            {
                Volatile.Write(ref owner._lastRenewal, started);
            }
        }
    }
}
