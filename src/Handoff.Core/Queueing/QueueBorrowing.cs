using Handoff.Core.Resources;

namespace Handoff.Core.Queueing;

/// <summary>A queue that holds more than its quota, and how much more of each such resource.</summary>
public sealed record QueueBorrowing(string Queue, ResourceList Borrowed);
