namespace Handoff.Core.Tracking.Indexing;

/// <summary>What changed in a tracker while it noted it (<see cref="IndexedResourceTracker.StartJournal"/>).</summary>
/// <param name="Holders">The holders allocated, adopted or released.</param>
/// <param name="NodesChanged">Whether a node was set (added, or its capacity set) or removed.</param>
public sealed record TrackerJournal(IReadOnlySet<string> Holders, bool NodesChanged);
