namespace Handoff.Core.Allocation;

/// <summary>How an allocator chooses among the eligible nodes that fit.</summary>
public enum AllocationStrategy
{
    /// <summary>The first eligible node in ordinal name order that fits (the default).</summary>
    FirstAvailable,

    /// <summary>The eligible node that leaves the highest minimum free fraction across the function's resources.</summary>
    LoadBalanced,

    /// <summary>The eligible node that leaves the lowest minimum free fraction (bin-packing).</summary>
    BestFit,
}

/// <summary>The allocator singletons and strategy-name parsing.</summary>
public static class Allocators
{
    public static IAllocator FirstAvailable { get; } = new FirstAvailableAllocator();

    public static IAllocator LoadBalanced { get; } = new LoadBalancedAllocator();

    public static IAllocator BestFit { get; } = new BestFitAllocator();

    /// <summary>The allocator for <paramref name="strategy"/>.</summary>
    public static IAllocator For(AllocationStrategy strategy) => strategy switch
    {
        AllocationStrategy.FirstAvailable => FirstAvailable,
        AllocationStrategy.LoadBalanced => LoadBalanced,
        AllocationStrategy.BestFit => BestFit,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown allocation strategy"),
    };

    /// <summary>The strategy names as written in manifests: FirstAvailable, LoadBalanced, BestFit.</summary>
    public static IReadOnlyList<string> StrategyNames { get; } = Enum.GetNames<AllocationStrategy>();

    /// <summary>Parses a strategy name exactly as written in a manifest (case-sensitive, like Kubernetes enums).</summary>
    public static bool TryParseStrategy(string? name, out AllocationStrategy strategy)
    {
        foreach (var s in Enum.GetValues<AllocationStrategy>())
        {
            if (string.Equals(s.ToString(), name, StringComparison.Ordinal))
            {
                strategy = s;
                return true;
            }
        }

        strategy = AllocationStrategy.FirstAvailable;
        return false;
    }
}
