using Handoff.Core.Resources;

namespace Handoff.Core.Tracking;

/// <summary>One node's capacity, what its holders hold, and what is left (possibly negative after a capacity cut).</summary>
public sealed record NodeUsage(string Node, ResourceList Capacity, ResourceList Allocated, ResourceList Available, int Holders);
