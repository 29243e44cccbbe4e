using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using k8s.Models;

namespace Handoff.Sandbox.Pods;

/// <summary>
/// Resource quantities by name (<c>cpu</c>, <c>memory</c>, <c>pods</c>, <c>nvidia.com/gpu</c>, ...) as exact decimals,
/// parsed with <see cref="ResourceQuantity"/>; what the scheduler and the kubelet add up and compare.
/// </summary>
internal sealed class ResourceAmounts : Dictionary<string, decimal>
{
    public ResourceAmounts()
        : base(StringComparer.Ordinal)
    {
    }

    /// <summary>Reads a ResourceList (<c>{cpu: "500m", memory: 1Gi}</c>); quantities that do not parse are skipped (validation rejects them).</summary>
    public static ResourceAmounts From(JsonNode? list)
    {
        var result = new ResourceAmounts();
        if (list is JsonObject obj)
        {
            foreach (var (name, value) in obj)
            {
                if (TryParse(JsonNodes.ScalarText(value), out var amount))
                {
                    result[name] = amount;
                }
            }
        }

        return result;
    }

    public static bool TryParse(string? text, out decimal amount)
    {
        amount = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            amount = new ResourceQuantity(text.Trim()).ToDecimal();
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A quantity as the API server prints it (canonical form: <c>2</c>, <c>500m</c>, <c>1Gi</c>).</summary>
    public static string Canonical(string text)
    {
        try
        {
            return new ResourceQuantity(text.Trim()).ToString();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            return text;
        }
    }

    public decimal Get(string name) => TryGetValue(name, out var v) ? v : 0;

    public void Add(ResourceAmounts other)
    {
        foreach (var (name, value) in other)
        {
            this[name] = Get(name) + value;
        }
    }

    public void Max(ResourceAmounts other)
    {
        foreach (var (name, value) in other)
        {
            this[name] = Math.Max(Get(name), value);
        }
    }

    /// <summary>A resource with a domain prefix outside <c>kubernetes.io/</c> (<c>nvidia.com/gpu</c>): integer, never overcommitted.</summary>
    public static bool IsExtended(string name) =>
        name.Contains('/', StringComparison.Ordinal) && !name.StartsWith("kubernetes.io/", StringComparison.Ordinal) &&
        !name.StartsWith("requests.", StringComparison.Ordinal);

    /// <summary>Whether requests may be below limits (cpu, memory, ephemeral-storage; not hugepages, not extended resources).</summary>
    public static bool IsOvercommitAllowed(string name) => !IsExtended(name) && !name.StartsWith("hugepages-", StringComparison.Ordinal);

    /// <summary>
    /// The amount in the unit the kubelet's and the scheduler's messages use: milli-cores for cpu, bytes for memory,
    /// whole units otherwise (rounded up, as Quantity.Value and MilliValue do).
    /// </summary>
    public static long MessageUnits(string name, decimal amount) =>
        (long)Math.Ceiling(name == "cpu" ? amount * 1000 : amount);

    public override string ToString() =>
        string.Join(",", this.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value.ToString(CultureInfo.InvariantCulture)));
}
