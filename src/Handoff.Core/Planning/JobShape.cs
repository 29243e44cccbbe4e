namespace Handoff.Core.Planning;

/// <summary>
/// A batch/v1 Job (NonIndexed) as the Job controller runs it, for the planner: it keeps
/// <c>min(parallelism, completions - succeeded)</c> pods active (completions unset: <c>parallelism</c> pods until the
/// first success, then none), and creates a new pod at the instant one of its pods succeeds while that number allows.
/// <see cref="Succeeded"/> and <see cref="Active"/> are where a Job read back from a cluster already stands.
/// </summary>
/// <remarks>
/// The one rule of "pod n starts after a success": with every pod succeeding, the pods still to create are created
/// <see cref="CreatedAtOnce"/> at once, then one per success of the Job's pods, so the n-th of them (0-based) is
/// created at the <see cref="CreatedAfterSuccesses"/>-th success. Failures (the controller's backoffLimit and its
/// back-off before a replacement) are not part of this model.
/// </remarks>
public sealed record JobShape
{
    public JobShape(int parallelism, int? completions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parallelism);
        if (completions is { } c)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(c, nameof(completions));
        }

        Parallelism = parallelism;
        Completions = completions;
    }

    /// <summary><c>spec.parallelism</c> (the API server's default: 1).</summary>
    public int Parallelism { get; }

    /// <summary><c>spec.completions</c>; null = any one success completes the Job once its active pods end.</summary>
    public int? Completions { get; }

    /// <summary>Pods of the Job that already succeeded (<c>status.succeeded</c>).</summary>
    public int Succeeded { get; init; }

    /// <summary>Pods of the Job that exist and have not finished.</summary>
    public int Active { get; init; }

    /// <summary>How many pods the Job controller still creates when every pod succeeds.</summary>
    public int PodsToCreate => Parallelism == 0 ? 0
        : Completions is { } c ? Math.Max(0, c - Succeeded - Active)
        : Succeeded > 0 ? 0 : Math.Max(0, Parallelism - Active);

    /// <summary>How many of <see cref="PodsToCreate"/> are created at once.</summary>
    public int CreatedAtOnce => Math.Min(PodsToCreate, Math.Max(0, Wanted - Active));

    /// <summary>
    /// The n-th pod still to create (0-based, in creation order) is created when this many of the Job's pods (those
    /// active now or created later) have succeeded; 0 = at once.
    /// </summary>
    public int CreatedAfterSuccesses(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(n, PodsToCreate);
        return Math.Max(0, n - CreatedAtOnce + 1);
    }

    // The controller's target of active pods now.
    private int Wanted => Completions is { } c ? Math.Min(Parallelism, c - Succeeded) : Succeeded > 0 ? 0 : Parallelism;
}
