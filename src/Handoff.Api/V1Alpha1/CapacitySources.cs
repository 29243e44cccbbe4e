namespace Handoff.Api.V1Alpha1;

/// <summary>Where a HandoffNode's capacity comes from (<c>spec.capacityFrom</c>).</summary>
public static class CapacitySources
{
    /// <summary>Only <c>spec.capacity</c>: a slice of the node the user hands to Handoff; nothing is subtracted.</summary>
    public const string None = "None";

    /// <summary>The Node's <c>status.allocatable</c>, overridden and extended by <c>spec.capacity</c>; other pods count as external.</summary>
    public const string Node = "Node";
}
