using System.Collections.Concurrent;
using k8s.Models;

namespace Handoff.Operator.Tests.Support;

/// <summary>What the test kubelet does with a bound pod: finish it with this message and exit code, or leave it (null).</summary>
public sealed record PodOutcome(string? Message, int ExitCode = 0);

/// <summary>
/// The test acting as kubelet: polls the namespace's function pods and, for each newly bound one, asks
/// <c>behaviour</c> what the container does, then sets the pod Running and Succeeded/Failed with the termination message.
/// </summary>
public sealed class TestKubelet : IAsyncDisposable
{
    private readonly SandboxCluster _cluster;
    private readonly Func<V1Pod, PodOutcome?> _behaviour;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TestKubelet(SandboxCluster cluster, Func<V1Pod, PodOutcome?> behaviour)
    {
        _cluster = cluster;
        _behaviour = behaviour;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Pods finished so far (name → outcome).</summary>
    public ConcurrentDictionary<string, PodOutcome> Finished { get; } = new(StringComparer.Ordinal);

    public ConcurrentBag<Exception> Errors { get; } = [];

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                foreach (var pod in await _cluster.PodsAsync())
                {
                    if (string.IsNullOrEmpty(pod.Spec.NodeName) || pod.Status?.Phase is "Succeeded" or "Failed" ||
                        Finished.ContainsKey(pod.Metadata.Name) || pod.Metadata.DeletionTimestamp is not null)
                    {
                        continue;
                    }

                    if (_behaviour(pod) is { } outcome)
                    {
                        await _cluster.StartPodAsync(pod);
                        await _cluster.FinishPodAsync(pod, outcome.Message, outcome.ExitCode);
                        Finished[pod.Metadata.Name] = outcome;
                    }
                }

                await Task.Delay(20, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Errors.Add(ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
