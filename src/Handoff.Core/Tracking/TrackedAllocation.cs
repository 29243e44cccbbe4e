using Handoff.Core.Resources;

namespace Handoff.Core.Tracking;

/// <summary>One holder's allocation.</summary>
public sealed record TrackedAllocation(string Holder, string Node, ResourceList Cost);
