namespace Handoff.Api.V1Alpha1;

/// <summary>How a HandoffQueue orders its ready work (<c>spec.queueingStrategy</c>, as Kueue's ClusterQueue).</summary>
public static class QueueingStrategies
{
    /// <summary>A function that does not fit is skipped; those behind it may go first.</summary>
    public const string BestEffortFIFO = "BestEffortFIFO";

    /// <summary>The head of the queue blocks everything behind it until it fits.</summary>
    public const string StrictFIFO = "StrictFIFO";
}
