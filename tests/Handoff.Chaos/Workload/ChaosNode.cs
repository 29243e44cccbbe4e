namespace Handoff.Chaos.Workload;

/// <summary>A HandoffNode of the workload and the simulated Kubernetes node it names.</summary>
public sealed record ChaosNode(string Name, string KubernetesNode, IReadOnlyDictionary<string, string> Capacity);
