using Handoff.Core.Resources;

namespace Handoff.Core.Workloads;

/// <summary>
/// A cost that is almost surely written in the wrong unit: <c>memory</c> under 1Mi where the capacity comes from
/// the Node (<c>capacityFrom: Node</c>), which counts memory in bytes — typically megabytes in the Elixir
/// library's convention (<c>memory: 4000</c>) that would ask for 4000 bytes. Reported as a Warning Event
/// (<see cref="Reason"/>); the function is still scheduled as written.
/// </summary>
/// <param name="Function">The function, as <c>namespace/name</c>.</param>
/// <param name="Resource">The resource (<c>memory</c>).</param>
/// <param name="AmountMilli">The amount in milli-units.</param>
public sealed record SuspiciousQuantity(string Function, string Resource, long AmountMilli)
{
    /// <summary>The Event reason.</summary>
    public const string Reason = "SuspiciousQuantity";

    // 1Mi in milli-units.
    private const long OneMebibyteMilli = 1024L * 1024 * 1000;

    /// <summary>The Event message, naming the function and the value.</summary>
    public string Message
    {
        get
        {
            var value = ResourceList.FormatMilli(AmountMilli);
            var message = $"function {Function}: {Resource} cost {value} is under 1Mi; a Node counts {Resource} in bytes, so this is {value} bytes";
            return AmountMilli % 1000 == 0 ? message + $" (write {value}M or {value}Mi for megabytes)" : message;
        }
    }

    /// <summary>
    /// The warning for <paramref name="cost"/> (the function's own <c>spec.cost</c>, as the user wrote it) when
    /// <paramref name="capacityFromNode"/> (it is placed on, or checked against, a HandoffNode with
    /// <c>capacityFrom: Node</c>) and its memory is more than 0 and less than 1Mi; otherwise null.
    /// </summary>
    public static SuspiciousQuantity? InCost(string function, ResourceList cost, bool capacityFromNode)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var memory = cost[ComputeResources.Memory];
        return capacityFromNode && memory is > 0 and < OneMebibyteMilli
            ? new SuspiciousQuantity(function, ComputeResources.Memory, memory)
            : null;
    }
}
