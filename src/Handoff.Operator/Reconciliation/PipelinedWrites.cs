using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Writes that run beside the pass's actions without holding their slots — a function's status right after its
/// binding, and the reports made while the actions run (functions nothing was decided for, nodes) — at most
/// <c>parallelism</c> at once, so the next create and bind do not wait for them. The pass awaits them
/// (<see cref="CompleteAsync"/>) before it writes the rest; by then the actions are done, so what is still queued may
/// take their slots too.
/// Failures join the pass's, like its actions'. Nothing runs until the first write is queued, so a pass that fails
/// before it acts leaves nothing behind.
/// </summary>
internal sealed class PipelinedWrites(int parallelism, ConcurrentBag<Exception> errors, CancellationToken cancellationToken)
{
    private readonly int _parallelism = parallelism;
    private readonly Channel<Func<CancellationToken, Task>> _queue =
        Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly Lock _gate = new();
    private Task? _running;

    /// <summary>Queues a write; it starts as soon as a slot is free.</summary>
    public void Add(Func<CancellationToken, Task> write)
    {
        lock (_gate)
        {
            _running ??= RunAsync(_parallelism);
        }

        _queue.Writer.TryWrite(write);
    }

    /// <summary>
    /// No more writes come; returns when the queued ones are done, running up to <paramref name="parallelism"/> at
    /// once from now on (the actions they stood beside are finished: a stream's pass spent most of its time waiting for
    /// the last statuses, a quarter of the slots at a time).
    /// </summary>
    public Task CompleteAsync(int parallelism)
    {
        _queue.Writer.TryComplete();
        lock (_gate)
        {
            if (_running is null)
            {
                return Task.CompletedTask;
            }

            return parallelism > _parallelism ? Task.WhenAll(_running, RunAsync(parallelism - _parallelism)) : _running;
        }
    }

    // Several runs may read the one queue: each write is taken by one of them.
    private Task RunAsync(int degree) =>
        Parallel.ForEachAsync(
            _queue.Reader.ReadAllAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = cancellationToken },
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
