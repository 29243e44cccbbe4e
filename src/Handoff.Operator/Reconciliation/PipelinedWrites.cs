using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Writes that follow an action — a function's status right after its binding — without holding the action's slot:
/// they run beside the pass's actions, at most <c>parallelism</c> at once, so the next create and bind do not wait for
/// the previous function's status. The pass awaits them (<see cref="CompleteAsync"/>) before it reports the rest.
/// Failures join the pass's, like its actions'. Nothing runs until the first write is queued, so a pass that fails
/// before it acts leaves nothing behind.
/// </summary>
internal sealed class PipelinedWrites(int parallelism, ConcurrentBag<Exception> errors, CancellationToken cancellationToken)
{
    private readonly Channel<Func<CancellationToken, Task>> _queue =
        Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly Lock _gate = new();
    private Task? _running;

    /// <summary>Queues a write; it starts as soon as a slot is free.</summary>
    public void Add(Func<CancellationToken, Task> write)
    {
        lock (_gate)
        {
            _running ??= RunAsync();
        }

        _queue.Writer.TryWrite(write);
    }

    /// <summary>No more writes: waits for those queued.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        lock (_gate)
        {
            return _running ?? Task.CompletedTask;
        }
    }

    private Task RunAsync() =>
        Parallel.ForEachAsync(
            _queue.Reader.ReadAllAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (write, ct) =>
            {
                try
                {
                    await write(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    errors.Add(ex);
                }
            });
}
