namespace Handoff.Core.Queueing;

/// <summary>How a HandoffQueue treats a workload that does not fit (Kueue's queueingStrategy).</summary>
public enum QueueingStrategy
{
    /// <summary>It is skipped; the ones behind it may go first.</summary>
    BestEffortFIFO,

    /// <summary>The head blocks everything behind it in the queue until it fits.</summary>
    StrictFIFO,
}
