using Handoff.Api.V1Alpha1;

namespace Handoff.Testing.Builders;

/// <summary>
/// Where the fluent builders start: <c>TestObjects.HandoffNode("a").Capacity("cpu", "4").Build()</c>. Every builder
/// fills what the API server would (uid, creationTimestamp at <see cref="Epoch"/>, generation 1), so a built object
/// reads like one from a cache; <c>BuildForCreate</c> leaves those out for objects sent to an API server.
/// </summary>
public static class TestObjects
{
    /// <summary>The default creation time of built objects: a whole second, as the API records times.</summary>
    public static DateTimeOffset Epoch { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static HandoffNodeBuilder HandoffNode(string name) => new(name);

    public static HandoffFunctionBuilder Function(string name, string @namespace = "default") => new(name, @namespace);

    /// <summary>The pod of attempt <paramref name="attempt"/> of <paramref name="function"/>, as the operator creates it.</summary>
    public static FunctionPodBuilder PodOf(HandoffFunction function, int attempt = 1) => new(function, attempt);

    /// <summary>A Kubernetes Node, Ready.</summary>
    public static NodeBuilder Node(string name) => new(name);
}
