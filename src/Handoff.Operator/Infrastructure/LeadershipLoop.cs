using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Runs <c>lead</c> while this replica holds the Lease, with a token cancelled when leadership is lost, and
/// campaigns again afterwards. Without leader election, <c>lead</c> simply runs until shutdown.
/// </summary>
public sealed class LeadershipLoop(IKubernetes client, OperatorOptions options, ILogger<LeadershipLoop> logger)
{
    public bool IsLeader { get; private set; }

    /// <summary>Raised with the new leader's identity whenever the observed leader changes.</summary>
    public event Action<string>? LeaderChanged;

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
            var leaseLock = new LeaseLock(client, options.LeaseNamespace, options.LeaseName, options.Identity);
            var config = new LeaderElectionConfig(leaseLock)
            {
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            };
            using var elector = new LeaderElector(config);
            using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task? leading = null;
            elector.OnStartedLeading += () =>
            {
                IsLeader = true;
                logger.LogInformation("{Identity} became leader of lease {Namespace}/{Lease}", options.Identity, options.LeaseNamespace, options.LeaseName);
                leading = Task.Run(() => lead(term.Token), CancellationToken.None);
            };
            elector.OnStoppedLeading += () =>
            {
                IsLeader = false;
                logger.LogWarning("{Identity} lost leadership of lease {Namespace}/{Lease}", options.Identity, options.LeaseNamespace, options.LeaseName);
                term.Cancel();
            };
            elector.OnNewLeader += leader => LeaderChanged?.Invoke(leader);
            elector.OnError += ex => logger.LogWarning(ex, "Leader election error");
            try
            {
                await elector.RunUntilLeadershipLostAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Leader election failed; campaigning again");
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
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.RetryPeriod, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }
}
