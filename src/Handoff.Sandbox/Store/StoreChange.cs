namespace Handoff.Sandbox.Store;

/// <summary>A committed change of one object: what a watch on its collection would deliver, and the state before it.</summary>
/// <param name="Object">The new state; for <see cref="WatchEventType.Deleted"/> the last state, with the deletion's resourceVersion.</param>
/// <param name="Previous">The state before the change (null for <see cref="WatchEventType.Added"/>).</param>
internal readonly record struct StoreChange(ResourceCollection Collection, WatchEventType Type, StoredObject Object, StoredObject? Previous);
