using Handoff.Core.Resources;

namespace Handoff.Core.Tracking;

/// <summary>
/// A pod Handoff placed that is live (not terminal): it holds <see cref="Cost"/> on <see cref="Node"/> whether it is
/// bound, terminating or orphaned. One that is not <see cref="Bound"/> yet was created by a placement whose binding has
/// not happened (the operator stopped in between, or the binding failed).
/// </summary>
public sealed record LivePlacement(string Holder, string Node, ResourceList Cost, bool Bound, DateTimeOffset Created);
