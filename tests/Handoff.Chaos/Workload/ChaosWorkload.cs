namespace Handoff.Chaos.Workload;

/// <summary>Everything a seed decides about the work: the nodes, the functions (a DAG in creation order) and their arrival.</summary>
public sealed record ChaosWorkload(int Seed, string Namespace, IReadOnlyList<ChaosNode> Nodes, IReadOnlyList<ChaosFunction> Functions)
{
    public ChaosFunction Function(string name) => Functions.First(f => f.Name == name);

    /// <summary>When the last function arrives.</summary>
    public TimeSpan ArrivalWindow => Functions.Count == 0 ? TimeSpan.Zero : Functions.Max(f => f.Arrival);
}
